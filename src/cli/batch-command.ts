/**
 * `run-pipeline <file> --inputs rows.jsonl`: one run of the pipeline per row, resumable. Parses
 * flags, wires the store, the pacing gate and the provider, runs the batch, then writes the
 * summary and reports and picks the exit code. The work itself is in run/batch.
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { loadPipeline } from '../pipeline/index.js';
import { countInputRows, readInputRows, type InputsFormat } from '../run/batch-inputs.js';
import { DEFAULT_CONCURRENCY, runBatch, type BatchProgress, type BatchStop } from '../run/batch.js';
import { openBatchStore } from '../run/journal.js';
import { createPacingGate } from '../run/pacing.js';
import { parseShard, type Shard } from '../run/shard.js';
import { LOGGING_OPTIONS, oneOf, parseCommandArgs, positiveInteger, resolveLogging, type CommandOptions } from './args.js';
import { writeBatchReports } from './batch-reports.js';
import { EXIT } from './exit-codes.js';
import { formatDiagnostics } from './format-diagnostics.js';
import type { CliIo } from './io.js';
import type { MainOptions } from './main.js';
import { printError } from './print-error.js';
import { createProgress, type ProgressSnapshot } from './progress.js';
import { createCliProvider, pollIntervalMs, requireToken, resolveBaseUrl } from './provider.js';

/** True when the arguments ask for a batch (`--inputs`). */
export function isBatchInvocation(argv: readonly string[]): boolean {
  return argv.some((argument) => argument === '--inputs' || argument.startsWith('--inputs='));
}

const BATCH_OPTIONS = {
  inputs: { type: 'string' },
  'inputs-format': { type: 'string' },
  output: { type: 'string' },
  'out-dir': { type: 'string' },
  concurrency: { type: 'string' },
  'retry-failed': { type: 'boolean', default: false },
  fresh: { type: 'boolean', default: false },
  'max-failures': { type: 'string' },
  shard: { type: 'string' },
  junit: { type: 'string' },
  report: { type: 'string' },
  json: { type: 'boolean', default: false },
  'base-url': { type: 'string' },
  ...LOGGING_OPTIONS,
} satisfies CommandOptions;

/** `results.jsonl` → `summary.json`, `results-2-of-4.jsonl` → `summary-2-of-4.json`, `x.jsonl` → `x.summary.json`. */
export function summaryPathFor(resultsPath: string): string {
  const stem = basename(resultsPath, extname(resultsPath));
  const name = stem.startsWith('results') ? `summary${stem.slice('results'.length)}` : `${stem}.summary`;
  return join(dirname(resultsPath), `${name}.json`);
}

/** Quotes an argument for a POSIX shell when it needs it. */
function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, "'\\''")}'`;
}

/** The command that resumes this batch: the same one, never with --fresh (that would start over). */
export function resumeCommand(argv: readonly string[]): string {
  return ['run-pipeline', ...argv.filter((argument) => argument !== '--fresh')].map(shellQuote).join(' ');
}

/**
 * Replicate allows about 3000 non-create requests a minute per account. Rows that poll (steps
 * without a stream) each GET once an interval, so with many rows in flight the interval widens to
 * keep all of them together under ~2000 a minute, leaving room for creates, cancels and retries.
 */
export function batchPollIntervalMs(base: number, concurrency: number): number {
  return Math.max(base, Math.ceil((concurrency * 60_000) / 2000));
}

/** Runs a batch and returns its exit code. */
export async function batchCommand(argv: string[], io: CliIo, options: MainOptions = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, BATCH_OPTIONS, 'run-pipeline --help lists every batch option');
  if (positionals.length !== 1) {
    throw new UsageError('E_USAGE', positionals.length === 0 ? 'no pipeline file given' : `expected one pipeline file, got ${positionals.length}: ${positionals.join(' ')}`, {
      hint: 'run-pipeline pipelines/logo.yaml --inputs products.jsonl',
    });
  }
  const inputsFile = values.inputs as string;
  if (values.fresh && values['retry-failed']) throw new UsageError('E_USAGE', '--fresh and --retry-failed cannot be combined', { hint: '--fresh already runs every row again' });
  const format = oneOf<InputsFormat>('--inputs-format', values['inputs-format'], ['jsonl', 'csv']);
  const concurrency = positiveInteger('--concurrency', values.concurrency) ?? DEFAULT_CONCURRENCY;
  const maxFailures = positiveInteger('--max-failures', values['max-failures']);
  const shard: Shard | null = values.shard === undefined ? null : parseShard(values.shard);
  // Per-step info logs of thousands of rows would drown the progress lines: warnings by default.
  const { format: logFormat, level: logLevel } = resolveLogging(values, io, { pretty: 'warn', json: 'warn' });

  const { pipeline, diagnostics } = await loadPipeline(positionals[0] as string);
  if (diagnostics.length > 0) io.stderr.write(formatDiagnostics(diagnostics, { format: 'human' }));
  const stem = inputsFile === '-' ? 'stdin' : basename(inputsFile, extname(inputsFile)) || 'batch';
  const outDir = resolve(io.cwd, values['out-dir'] ?? join('outputs', stem));
  const shardSuffix = shard ? `-${shard.index}-of-${shard.count}` : '';
  const resultsPath = resolve(io.cwd, values.output ?? join(outDir, `results${shardSuffix}.jsonl`));
  const inputsOptions = { file: inputsFile === '-' ? '-' : resolve(io.cwd, inputsFile), ...(format ? { format } : {}), ...(io.stdin ? { stdin: io.stdin as Readable } : {}) };
  const rows = await readInputRows(inputsOptions);
  // A second, counting pass over a file (not stdin, which can be read once) gives the display a total and an ETA.
  let total: number | null = null;
  if (inputsFile !== '-') countInputRows(inputsOptions, shard).then((count) => (total = count), () => undefined);
  const token = requireToken(io, 'the pipeline calls Replicate');
  const baseUrl = resolveBaseUrl(io, values['base-url']);
  const store = await openBatchStore({ resultsPath, journalPath: `${resultsPath}.journal`, pipelineHash: pipeline.hash, fresh: values.fresh, retryFailed: values['retry-failed'] });

  const logger = createLogger({ level: logLevel, format: logFormat, destination: io.stderr, color: Boolean(io.stderr.isTTY), secrets: [token] });
  const gate = createPacingGate();
  const provider = createCliProvider(io, { token, baseUrl, logger, createGate: gate });
  const display = createProgress(io.stderr, { tty: Boolean(io.stderr.isTTY) });
  const startedAt = Date.now();
  let latest: BatchProgress | undefined;
  const snapshot = (): ProgressSnapshot => toSnapshot(latest, startedAt, total);
  // The display reads time from snapshots: a tick keeps the rate and ETA moving between rows.
  const ticker = setInterval(() => display.update(snapshot()), 1000);
  ticker.unref();
  const resume = resumeCommand(argv);
  let result;
  try {
    result = await runBatch(pipeline, {
      provider,
      rows,
      store,
      outDir,
      inputsFile,
      resultsFile: resultsPath,
      concurrency,
      shard,
      logger,
      pollIntervalMs: batchPollIntervalMs(pollIntervalMs(io.env), concurrency),
      download: { token, authorizedOrigin: new URL(baseUrl).origin },
      onProgress: (progress) => {
        latest = progress;
        display.update(snapshot());
      },
      ...(maxFailures === undefined ? {} : { maxFailures }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    await store.close();
    const code = printError(error, io);
    if (code === EXIT.failed) io.stderr.write(`resume with: ${resume}\n`);
    return code;
  } finally {
    clearInterval(ticker);
    display.finish(snapshot());
  }
  await store.close();
  const { summary, stop } = result;
  const summaryPath = summaryPathFor(resultsPath);
  await writeBatchReports({ summary, summaryPath, resultsPath, io, ...(values.junit ? { junitPath: resolve(io.cwd, values.junit) } : {}), ...(values.report ? { reportPath: resolve(io.cwd, values.report) } : {}) });
  if (values.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else io.stdout.write(`${resultsPath}\n`);
  return exitFor(stop, summary.rows_failed + (summary.rows_failed_earlier ?? 0), io, resume);
}

function exitFor(stop: BatchStop | undefined, failed: number, io: CliIo, resume: string): number {
  if (stop?.reason === 'interrupted') {
    io.stderr.write(`interrupted: running predictions were canceled and the results flushed\nresume with: ${resume}\n`);
    return EXIT.interrupted;
  }
  if (stop?.reason === 'inputs') {
    if (stop.error) printError(stop.error, io);
    return EXIT.usage;
  }
  if (stop?.reason === 'auth') {
    if (stop.error) printError(stop.error, io);
    io.stderr.write(`the batch stopped: Replicate refused the account, so every other row would fail too\nresume with: ${resume}\n`);
    return EXIT.failed;
  }
  if (stop?.reason === 'max-failures') {
    io.stderr.write(`the batch stopped after --max-failures failed rows\nresume with: ${resume}\n`);
    return EXIT.failed;
  }
  if (failed > 0) {
    io.stderr.write(`some rows failed; re-run them with: ${resume.includes(' --retry-failed') ? resume : `${resume} --retry-failed`}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** The display's view of the batch's progress. */
function toSnapshot(progress: BatchProgress | undefined, startedAt: number, total: number | null): ProgressSnapshot {
  return {
    done: (progress?.succeeded ?? 0) + (progress?.failed ?? 0),
    failed: progress?.failed ?? 0,
    skipped: progress?.skipped ?? 0,
    running: progress?.running ?? 0,
    total,
    computeSeconds: progress?.compute_seconds ?? 0,
    startedAt,
    now: Date.now(),
  };
}

