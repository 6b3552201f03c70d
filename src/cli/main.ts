/**
 * The command-line entry: dispatches to `run` (the default) or `check`, and turns every outcome
 * into an exit code. Never calls process.exit: the caller sets process.exitCode.
 */
import { createRequire } from 'node:module';
import { checkCommand } from './check-command.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { mergeCommand } from './merge-command.js';
import { printError } from './print-error.js';
import { runCommand } from './run-command.js';
import { remoteSchemas } from './remote-schemas.js';

/** Options the binary passes in; tests pass their own. */
export type MainOptions = {
  /** Aborted on Ctrl-C/SIGTERM by the binary. */
  signal?: AbortSignal;
};

/** The tool's version, from package.json. */
export function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

/** Usage text for `--help`. */
export const USAGE = `Usage:
  run-pipeline <file.yaml> [options]         run a pipeline
  run-pipeline check <file.yaml> [options]   check a pipeline without running it
  run-pipeline <file.yaml> --inputs FILE     run it once per row of FILE (a batch)
  run-pipeline merge FILE... [--output F]    combine batch results (e.g. of shards)

Run options:
  --input TEXT          value of the pipeline's input (pipelines without an inputs: map)
  --var NAME=VALUE      set a named input (repeatable)
  --json                print the run record as one JSON object on stdout
  --out-dir DIR         where files and run.json go (default: outputs/<run-id>/)
  --dry-run             render every template and show what would be sent; call nothing
  --base-url URL        Replicate API base (default: $REPLICATE_BASE_URL or https://api.replicate.com/v1)
  --log-format FORMAT   pretty | json (default: pretty on a terminal, json otherwise)
  --log-level LEVEL     trace | debug | info | warn | error | silent
                        (default: info for JSON logs, warn on a terminal and in batches)
  --stream, --no-stream show text as it is generated (default: when stderr is a terminal)
  --timeout DURATION    limit on the whole run (90, 90s, 5m, 1h30m); each step's timeout applies too
  --max-predictions N   refuse to create more than N predictions in the run (retries count)

Batch options (with --inputs):
  --inputs FILE         rows as JSON Lines (.jsonl) or CSV with a header (.csv); - for stdin
  --inputs-format FMT   jsonl | csv (default: from the file name; jsonl for stdin)
  --out-dir DIR         files go to DIR/<row-key>/ (default: outputs/<inputs name>/)
  --output FILE         results, one line per row (default: DIR/results.jsonl)
  --concurrency N       rows in flight (default 4)
  --retry-failed        run rows that failed in an earlier run again
  --fresh               ignore earlier results (kept as .bak) and start over
  --max-failures N      stop taking rows after N failures
  --shard I/N           run only the I-th of N stable partitions of the rows
  --junit FILE          JUnit XML, one test case per row
  --report FILE         self-contained HTML report
  --json                print the summary as JSON on stdout (default: the results path)

Check options:
  --format FORMAT       human | json | github (default: human)
  --strict              treat warnings as errors
  --remote              also validate model inputs against each model's published schema
  --base-url URL        API base for --remote
  --input, --var        check that the pipeline accepts these inputs

  -h, --help            show this help
  -v, --version         show the version

Environment:
  REPLICATE_API_TOKEN   your API token (required to run; never printed or stored)
  REPLICATE_BASE_URL    API base URL (as --base-url)
  REPLICATE_POLL_INTERVAL  seconds between polls of a prediction (default 0.5)
  RUN_PIPELINE_CACHE_DIR   where model schemas are cached (default ~/.cache/run-pipeline)
  GITHUB_STEP_SUMMARY   when set, a batch appends a Markdown summary to this file

Exit codes: 0 success, 1 the run failed (a batch: some rows failed, or it stopped early),
2 invalid invocation or pipeline (no prediction was created), 130 interrupted.
`;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo, options: MainOptions = {}): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      (first === undefined ? io.stderr : io.stdout).write(USAGE);
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first === '-v' || first === '--version') {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (first === 'check') return await checkCommand(rest, io, remoteSchemas(io));
    if (first === 'merge') return await mergeCommand(rest, io);
    if (first === 'run') return await runCommand(rest, io, options);
    return await runCommand(argv, io, options);
  } catch (error) {
    return printError(error, io);
  }
}
