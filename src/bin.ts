#!/usr/bin/env node
/**
 * The executable: wires the real process to main(). The first Ctrl-C/SIGTERM aborts the run
 * (in-flight predictions are canceled); a second one exits at once.
 */
import { processIo } from './cli/io.js';
import { main } from './cli/main.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    process.stderr.write('\nrun-pipeline: second interrupt, exiting now (predictions may still be running)\n');
    process.exit(130);
  }
  process.stderr.write(`\nrun-pipeline: ${name} received, canceling running predictions (press Ctrl-C again to exit now)\n`);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await main(process.argv.slice(2), processIo(), { signal: controller.signal });
