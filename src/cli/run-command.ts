/** `run-pipeline <file>`: load, check, then run (or --dry-run) one set of inputs. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from '../logger.js';
import { loadPipeline, parseDuration, resolveInputs } from '../pipeline/index.js';
import { createRunId, runPipeline } from '../run/executor.js';
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

/** Parses `--var name=value` occurrences into a map; a malformed one is a usage error. */
export function parseVars(values: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals <= 0) throw new UsageError('E_USAGE', `--var "${value}" is not NAME=VALUE`, { hint: 'write --var product="colorful socks"' });
    vars[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return vars;
}

function parseRunArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        input: { type: 'string' },
        var: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean', default: false },
        'out-dir': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'base-url': { type: 'string' },
        'log-format': { type: 'string' },
        'log-level': { type: 'string' },
        stream: { type: 'boolean' },
        'no-stream': { type: 'boolean' },
        timeout: { type: 'string' },
        'max-predictions': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError('E_USAGE', error instanceof Error ? error.message.split('\n')[0] ?? 'invalid arguments' : String(error), { hint: 'run-pipeline --help lists every option' });
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError('E_USAGE', `${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
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
function parseMaxPredictions(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError('E_USAGE', `--max-predictions "${value}" is not a whole number of at least 1`, { hint: 'for example --max-predictions 10' });
  return Number(value);
}

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
  const logFormat = oneOf<LogFormat>('--log-format', values['log-format'], ['pretty', 'json']) ?? (io.stderr.isTTY ? 'pretty' : 'json');
  // On a terminal the progress display tells the story; logs there are for warnings unless asked.
  const logLevel = oneOf<LogLevel>('--log-level', values['log-level'], LOG_LEVELS) ?? (logFormat === 'pretty' ? 'warn' : 'info');
  const file = positionals[0] as string;
  const { pipeline, diagnostics } = await loadPipeline(file);
  if (diagnostics.length > 0) io.stderr.write(formatDiagnostics(diagnostics, { format: 'human' }));
  const timeoutSeconds = parseTimeoutFlag(values.timeout);
  const maxPredictions = parseMaxPredictions(values['max-predictions']);
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

