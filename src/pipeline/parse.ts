/** `parsePipeline`: text in, a pipeline and/or every problem out. Pure: no file system, no network. */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../errors.js';
import { MAX_FILE_BYTES } from './limits.js';
import { validateStructure } from './schema.js';
import { checkSemantics } from './semantics.js';
import type { Pipeline } from './types.js';
import { readYaml } from './yaml-source.js';

/** The outcome of parsing: `pipeline` is present if and only if no diagnostic is an error. */
export type ParsePipelineResult = { pipeline?: Pipeline; diagnostics: Diagnostic[] };

/** Orders diagnostics by position so people read them top to bottom. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((left, right) =>
    (left.location?.line ?? 0) - (right.location?.line ?? 0) || (left.location?.column ?? 0) - (right.location?.column ?? 0),
  );
}

function fileProblem(file: string, message: string, hint?: string): ParsePipelineResult {
  const diagnostic: Diagnostic = { code: 'E_FILE', severity: 'error', message, location: { file, line: 1, column: 1 } };
  if (hint !== undefined) diagnostic.hint = hint;
  return { diagnostics: [diagnostic] };
}

/** Parses and validates pipeline text; `file` is used in locations only. */
export function parsePipeline(text: string, file: string): ParsePipelineResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    return fileProblem(file, `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`, 'a pipeline file is a few kilobytes of YAML; is this the right file?');
  }
  if (text.includes('\u0000')) return fileProblem(file, 'the file is binary, not YAML text', 'is this the right file?');
  if (text.trim() === '') return fileProblem(file, 'the file is empty', 'a pipeline needs at least a steps: list');

  const read = readYaml(text, file);
  if (read.diagnostics.length > 0) return { diagnostics: sortDiagnostics(read.diagnostics) };
  const value = read.value;
  if (value === null || value === undefined) return fileProblem(file, 'the file has no content, only comments', 'a pipeline needs at least a steps: list');
  if (typeof value !== 'object' || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a list' : 'a single value';
    return {
      diagnostics: [{ code: 'E_SCHEMA', severity: 'error', message: `the file must be a map of keys (name:, inputs:, steps:), not ${what}`, hint: 'start from one of the pipelines/ examples', location: read.locator.locate([]) }],
    };
  }

  const structural = validateStructure(value, read.locator);
  const semantic = checkSemantics(value, read.locator);
  const diagnostics = sortDiagnostics([...structural, ...semantic.diagnostics]);
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return { diagnostics };

  const root = value as Record<string, unknown>;
  const pipeline: Pipeline = {
    file,
    hash: createHash('sha256').update(text, 'utf8').digest('hex'),
    inputs: semantic.inputs,
    implicitInput: semantic.implicitInput,
    steps: semantic.steps,
  };
  if (typeof root['name'] === 'string') pipeline.name = root['name'];
  if (typeof root['description'] === 'string') pipeline.description = root['description'];
  return { pipeline, diagnostics };
}
