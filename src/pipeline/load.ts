/**
 * The only file I/O of the pipeline layer: read a pipeline file safely (size, type, encoding) and
 * hand its text to the pure `parsePipeline`. Every failure is a one-line `E_FILE` usage error.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { PipelineInvalidError, UsageError } from '../errors.js';
import type { Diagnostic } from '../errors.js';
import { MAX_FILE_BYTES } from './limits.js';
import { parsePipeline } from './parse.js';
import type { Pipeline } from './types.js';

/** A pipeline file's bytes, decoded. */
export type PipelineFileText = { text: string; hash: string };

/** The length of the longest prefix of `bytes` that is valid UTF-8 (a truncated last character counts as valid). */
function validUtf8Prefix(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      low = middle;
    } catch {
      high = middle - 1;
    }
  }
  return low;
}

function fileError(file: string, message: string, hint?: string, position?: { line: number; column: number }): UsageError {
  const options: { hint?: string; location?: { file: string; line: number; column: number } } = {};
  if (hint !== undefined) options.hint = hint;
  if (position !== undefined) options.location = { file, ...position };
  return new UsageError('E_FILE', message, options);
}

/** Reads and decodes a pipeline file; throws `UsageError('E_FILE')` when it cannot be used. */
export async function readPipelineFile(file: string): Promise<PipelineFileText> {
  let bytes: Uint8Array;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw fileError(file, `${file} is a directory, not a pipeline file`, 'pass a .yaml file, e.g. pipelines/logo.yaml');
    if (!info.isFile()) throw fileError(file, `${file} is not a regular file`);
    if (info.size > MAX_FILE_BYTES) throw fileError(file, `${file} is ${info.size} bytes; pipeline files are limited to ${MAX_FILE_BYTES} bytes (1 MiB)`, 'is this the right file?');
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fileError(file, `pipeline file not found: ${file}`, 'check the path; shipped examples are in pipelines/');
    if (code === 'EACCES' || code === 'EPERM') throw fileError(file, `cannot read ${file}: permission denied`);
    if (code === 'EISDIR') throw fileError(file, `${file} is a directory, not a pipeline file`);
    throw fileError(file, `cannot read ${file}: ${(error as Error).message}`);
  }
  if (bytes.length > MAX_FILE_BYTES) throw fileError(file, `${file} is larger than ${MAX_FILE_BYTES} bytes (1 MiB)`);
  if (bytes.subarray(0, 8192).includes(0)) throw fileError(file, `${file} is a binary file, not YAML text`, 'is this the right file?');
  if (!isCompleteUtf8(bytes)) {
    const validLength = validUtf8Prefix(bytes);
    // stream: true holds back a started but unfinished character, so the column lands on its first byte.
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, validLength), { stream: true });
    const lines = before.split('\n');
    const position = { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
    throw fileError(file, `${file} is not valid UTF-8 text (line ${position.line}, column ${position.column})`, 'save the file as UTF-8', position);
  }
  return { text: new TextDecoder('utf-8').decode(bytes), hash: createHash('sha256').update(bytes).digest('hex') };
}

function isCompleteUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads, parses and validates a pipeline file. Returns the pipeline and its warnings; throws
 * `UsageError('E_FILE')` when the file cannot be read and `PipelineInvalidError` (every diagnostic)
 * when it has errors.
 */
export async function loadPipeline(file: string): Promise<{ pipeline: Pipeline; diagnostics: Diagnostic[] }> {
  const { text, hash } = await readPipelineFile(file);
  const { pipeline, diagnostics } = parsePipeline(text, file);
  if (pipeline === undefined) throw new PipelineInvalidError(diagnostics);
  return { pipeline: { ...pipeline, hash }, diagnostics };
}
