/** Prints any error for people: compiler style for ours, a bug report request for the rest. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PipelineInvalidError, RunPipelineError, UsageError, type Diagnostic } from '../errors.js';
import { EXIT } from './exit-codes.js';
import { formatDiagnostics } from './format-diagnostics.js';
import type { CliIo } from './io.js';

/** The exit code an error ends the process with. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof RunPipelineError && error.code === 'E_INTERRUPTED') return EXIT.interrupted;
  return EXIT.failed;
}

/** Turns an error into the diagnostic shape so all problems print alike. */
export function toDiagnostic(error: RunPipelineError): Diagnostic {
  const diagnostic: Diagnostic = { code: error.code, severity: 'error', message: error.message };
  if (error.hint) diagnostic.hint = error.hint;
  if (error.location) diagnostic.location = error.location;
  return diagnostic;
}

/** Reads the files diagnostics point into, for code frames; a file that cannot be read just gets no frame. */
function readSources(diagnostics: Diagnostic[], cwd: string): Map<string, string> {
  const sources = new Map<string, string>();
  for (const diagnostic of diagnostics) {
    const file = diagnostic.location?.file;
    if (!file || sources.has(file)) continue;
    try {
      sources.set(file, readFileSync(resolve(cwd, file), 'utf8'));
    } catch {
      // no frame for this file
    }
  }
  return sources;
}

/** Writes the error to stderr and returns the exit code. */
export function printError(error: unknown, io: CliIo, sources?: Map<string, string>): number {
  if (error instanceof RunPipelineError && !sources) {
    sources = readSources(error instanceof PipelineInvalidError ? error.diagnostics : [toDiagnostic(error)], io.cwd);
  }
  if (error instanceof PipelineInvalidError) {
    io.stderr.write(formatDiagnostics(error.diagnostics, { format: 'human', ...(sources ? { sources } : {}) }));
  } else if (error instanceof RunPipelineError) {
    io.stderr.write(formatDiagnostics([toDiagnostic(error)], { format: 'human', ...(sources ? { sources } : {}) }));
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `run-pipeline: internal error: ${error instanceof Error ? error.message : String(error)}\n` +
        'This is a bug in run-pipeline. Please report it with the details below.\n' +
        `${detail}\n`,
    );
  }
  return exitCodeFor(error);
}
