/** `run-pipeline <file>`: load, check, then run (or --dry-run) one set of inputs. */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { loadPipeline, parseDuration, resolveInputs } from '../pipeline/index.js';
import { createRunId, runPipeline } from '../run/executor.js';
import { LOGGING_OPTIONS, parseCommandArgs, parseVars, positiveInteger, resolveLogging, type CommandOptions } from './args.js';
import { renderDryRun } from './dry-run.js';
import { batchCommand, isBatchInvocation } from './batch-command.js';
import { EXIT } from './exit-codes.js';
import { formatDiagnostics } from './format-diagnostics.js';
import type { CliIo } from './io.js';
import type { MainOptions } from './main.js';
import { printError } from './print-error.js';
import { createCliProvider, pollIntervalMs, requireToken, resolveBaseUrl } from './provider.js';
import { createReporter } from './reporter.js';
import { reportRunEnd } from './summary.js';

const RUN_OPTIONS = {
  input: { type: 'string' },
  var: { type: 'string', multiple: true, default: [] as string[] },
  json: { type: 'boolean', default: false },
  'out-dir': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'base-url': { type: 'string' },
  ...LOGGING_OPTIONS,
  stream: { type: 'boolean' },
  'no-stream': { type: 'boolean' },
  timeout: { type: 'string' },
  'max-predictions': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies CommandOptions;

function parseRunArgs(argv: string[]) {
  return parseCommandArgs(argv, RUN_OPTIONS, 'run-pipeline --help lists every option');
}

/** `--stream`/`--no-stream`, the later one winning; undefined when neither was given. */
function streamFlag(tokens: ReturnType<typeof parseRunArgs>['tokens']): boolean | undefined {
  let stream: boolean | undefined;
  for (const token of tokens) {
    if (token.kind === 'option' && (token.name === 'stream' || token.name === 'no-stream')) stream = token.name === 'stream';
  }
  return stream;
}

/** `--timeout DURATION` in seconds (`90`, `90s`, `5m`, `1h30m`). */
function parseTimeoutFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new UsageError('E_USAGE', `--timeout "${value}" is not a duration`, { hint: 'write seconds (90) or a duration (90s, 5m, 1h30m)' });
  return seconds;
}

/** `--max-predictions N`, a whole number of at least 1. */
/** Runs the `run` command and returns its exit code. */
export async function runCommand(argv: string[], io: CliIo, options: MainOptions = {}): Promise<number> {
  if (isBatchInvocation(argv)) return batchCommand(argv, io, options);
  const { values, positionals, tokens } = parseRunArgs(argv);
  if (values.help) {
    const { USAGE } = await import('./main.js');
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError('E_USAGE', positionals.length === 0 ? 'no pipeline file given' : `expected one pipeline file, got ${positionals.length}: ${positionals.join(' ')}`, {
      hint: 'run-pipeline pipelines/logo.yaml --input "colorful socks"',
    });
  }
  // On a terminal the progress display tells the story; logs there are for warnings unless asked.
  const { format: logFormat, level: logLevel } = resolveLogging(values, io, { pretty: 'warn', json: 'info' });
  const file = positionals[0] as string;
  const { pipeline, diagnostics } = await loadPipeline(file);
  if (diagnostics.length > 0) io.stderr.write(formatDiagnostics(diagnostics, { format: 'human' }));
  const timeoutSeconds = parseTimeoutFlag(values.timeout);
  const maxPredictions = positiveInteger('--max-predictions', values['max-predictions'], 'for example --max-predictions 10');
  const inputs = resolveInputs(pipeline, { ...(values.input === undefined ? {} : { input: values.input }), vars: parseVars(values.var) });

  if (values['dry-run']) {
    io.stdout.write(renderDryRun(pipeline, inputs, { json: values.json }));
    return EXIT.ok;
  }
  const token = requireToken(io, 'the pipeline calls Replicate');
  const baseUrl = resolveBaseUrl(io, values['base-url']);
  const logger = createLogger({ level: logLevel, format: logFormat, destination: io.stderr, color: Boolean(io.stderr.isTTY), secrets: [token] });
  const provider = createCliProvider(io, { token, baseUrl, logger });
  const runId = createRunId();
  const outDir = resolve(io.cwd, values['out-dir'] ?? `outputs/${runId}`);
  const reporter = createReporter(io.stderr, { enabled: logFormat === 'pretty', tokens: streamFlag(tokens) ?? Boolean(io.stderr.isTTY) });
  const { record, error } = await runPipeline(pipeline, {
    provider,
    inputs,
    runId,
    outDir,
    logger,
    onEvent: reporter,
    pollIntervalMs: pollIntervalMs(io.env),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    ...(maxPredictions === undefined ? {} : { maxPredictions }),
    download: { token, authorizedOrigin: new URL(baseUrl).origin },
  });
  reportRunEnd(record, { stderr: io.stderr, logger, human: logFormat === 'pretty' });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  } else if (record.status === 'succeeded') {
    io.stdout.write(`${finalLines(record.steps.at(-1)?.files.map((saved) => saved.path), record.output)}\n`);
  }
  if (error) return printError(error, io);
  return EXIT.ok;
}


/** stdout of a successful run: every saved file of the last step, else its text. */
function finalLines(files: string[] | undefined, output: string | null): string {
  if (files && files.length > 0) return files.join('\n');
  return output ?? '';
}

