/**
 * `run-pipeline check`: report every mistake in pipeline files before anything is paid for.
 * Human diagnostics go to stderr (like a compiler: stdout stays free for data); `--format json`
 * and `--format github` go to stdout, to be piped into tools. Exit 2 on any error, 0 otherwise.
 */
import { didYouMeanSuffix } from '../did-you-mean.js';
import { RunPipelineError, UsageError } from '../errors.js';
import type { Diagnostic } from '../errors.js';
import { inputDiagnostics, parsePipeline, preflightPipeline, readPipelineFile, sortDiagnostics } from '../pipeline/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { ModelSchema } from '../providers/types.js';
import { parseCommandArgs, parseVars, type CommandOptions } from './args.js';
import { formatDiagnostics } from './format-diagnostics.js';
import { printError } from './print-error.js';
import type { CliIo } from './io.js';

const USAGE = `Usage: run-pipeline check [options] <pipeline.yaml...>

Checks pipeline files without running anything: YAML, schema, model references,
templates and references between steps. Exit status 2 when there are errors.

Options:
  --format <human|json|github>  output style (default human; github = Actions annotations)
  --strict                      treat warnings as errors
  --remote                      also check model inputs against each model's published schema
  --base-url <url>              Replicate API base for --remote (default $REPLICATE_BASE_URL)
  --input <text>                check that --input is accepted by the pipeline
  --var <name=value>            check that the pipeline declares this input (repeatable)
  -h, --help                    show this help
`;

const FORMATS = ['human', 'json', 'github'] as const;
type Format = (typeof FORMATS)[number];
const CHECK_OPTIONS = {
  format: { type: 'string', default: 'human' },
  strict: { type: 'boolean', default: false },
  remote: { type: 'boolean', default: false },
  'base-url': { type: 'string' },
  input: { type: 'string' },
  var: { type: 'string', multiple: true, default: [] as string[] },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies CommandOptions;

/** Fetches model schemas for `--remote`; injected by the CLI (network and disk cache live there). */
export type RemoteSchemas = (pipeline: Pipeline, options: { baseUrl?: string }) => Promise<Map<string, ModelSchema | Error>>;

/** Turns a thrown error into a diagnostic; anything unexpected says so. */
function diagnosticFromError(error: unknown, file: string): Diagnostic {
  if (error instanceof RunPipelineError) {
    const diagnostic: Diagnostic = { code: error.code, severity: 'error', message: error.message, location: error.location ?? { file, line: 1, column: 1 } };
    if (error.hint !== undefined) diagnostic.hint = error.hint;
    return diagnostic;
  }
  return { code: 'E_INTERNAL', severity: 'error', message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`, hint: 'this is a bug in run-pipeline; please report it with the file that caused it' };
}

/** Runs `check` with its own arguments; returns the exit code (2 for bad usage, printed like any error). */
export async function checkCommand(argv: string[], io: CliIo, remote?: RemoteSchemas): Promise<number> {
  try {
    return await check(argv, io, remote);
  } catch (error) {
    if (error instanceof UsageError) return printError(error, io);
    throw error;
  }
}

async function check(argv: string[], io: CliIo, remote?: RemoteSchemas): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, CHECK_OPTIONS, 'run-pipeline check --help');
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError('E_USAGE', `--format must be one of ${FORMATS.join(', ')}${didYouMeanSuffix(format, FORMATS)}`);
  if (positionals.length === 0) throw new UsageError('E_USAGE', 'no pipeline file given', { hint: 'run-pipeline check pipelines/logo.yaml' });
  if (values.remote && remote === undefined) throw new UsageError('E_USAGE', '--remote is not available in this build', { hint: 'run check without --remote' });
  const vars = parseVars(values.var);
  const given = values.input === undefined ? { vars } : { input: values.input, vars };

  const sources = new Map<string, string>();
  const all: Diagnostic[] = [];
  for (const file of positionals) {
    const found: Diagnostic[] = [];
    try {
      const { text } = await readPipelineFile(file);
      sources.set(file, text);
      const { pipeline, diagnostics } = parsePipeline(text, file);
      found.push(...diagnostics);
      if (pipeline !== undefined) {
        found.push(...inputDiagnostics(pipeline, given));
        if (values.remote && remote !== undefined) found.push(...preflightPipeline(pipeline, await remote(pipeline, values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] })));
      }
    } catch (error) {
      found.push(diagnosticFromError(error, file));
    }
    all.push(...sortDiagnostics(found));
  }

  const reported = values.strict ? all.map((diagnostic) => ({ ...diagnostic, severity: 'error' as const })) : all;
  const errors = reported.filter((diagnostic) => diagnostic.severity === 'error').length;
  const warnings = reported.length - errors;
  if (format === 'human') {
    const color = io.stderr.isTTY === true && io.env['NO_COLOR'] === undefined;
    io.stderr.write(formatDiagnostics(reported, { format, sources, color }));
    const files = `${positionals.length} file${positionals.length === 1 ? '' : 's'}`;
    const counts = reported.length === 0 ? 'no problems' : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
    io.stderr.write(`${reported.length === 0 ? '' : '\n'}checked ${files}: ${counts}\n`);
  } else {
    io.stdout.write(formatDiagnostics(reported, { format }));
  }
  return errors > 0 ? 2 : 0;
}
