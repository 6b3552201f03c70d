/**
 * From an input row to what the executor needs: the pipeline inputs (checked against what the
 * pipeline declares, so a bad row fails alone and costs nothing), and the folder of its files.
 */
import { createHash } from 'node:crypto';
import { didYouMeanSuffix } from '../did-you-mean.js';
import { inputTarget } from '../pipeline/index.js';
import type { Pipeline } from '../pipeline/types.js';
import type { InputRow } from './batch-inputs.js';

/** The inputs of one row, or why the row cannot run. */
export type RowInputs = { inputs: Record<string, string> } | { problem: string };

/**
 * Maps a row onto the pipeline's inputs: named values by name (an `id` is the row's key, not an
 * input, unless the pipeline declares one), a bare value to the pipeline's single input, then
 * defaults. Unknown names and missing required inputs are reported together.
 */
export function resolveRowInputs(pipeline: Pipeline, row: InputRow): RowInputs {
  if (row.problem !== undefined) return { problem: row.problem };
  const names = pipeline.inputs.map((input) => input.name);
  const listed = names.join(', ') || 'none';
  const given: Record<string, string> = { ...row.values };
  if (given.id !== undefined && !names.includes('id')) delete given.id;
  if (row.bare !== undefined) {
    const target = inputTarget(pipeline);
    if (target === undefined) return { problem: `the row is a bare value, but the pipeline has ${names.length} inputs (${listed}); give an object or CSV columns` };
    given[target] = row.bare;
  }
  const problems: string[] = [];
  for (const name of Object.keys(given)) {
    if (!names.includes(name)) problems.push(`"${name}" is not an input of the pipeline${didYouMeanSuffix(name, names)} (inputs: ${listed})`);
  }
  const missing = pipeline.inputs.filter((input) => given[input.name] === undefined && input.default === undefined).map((input) => `"${input.name}"`);
  if (missing.length > 0) problems.push(`no value for input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (problems.length > 0) return { problem: problems.join('; ') };
  const inputs: Record<string, string> = {};
  for (const input of pipeline.inputs) {
    const value = given[input.name] ?? input.default;
    if (value !== undefined) inputs[input.name] = value;
  }
  return { inputs };
}

/**
 * The folder name for a row key: the key itself when it is a safe file name, else a cleaned
 * version with a short hash of the key, so two keys never share a folder.
 */
export function folderFor(key: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(key)) return key;
  const cleaned = key.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 60);
  return `${cleaned || 'row'}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}
