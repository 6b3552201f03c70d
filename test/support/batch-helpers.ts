/** Helpers for batch tests: inputs files, reading results, and what the fake server was paid for. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchRowRecord } from '../../src/run/batch-record.js';
import type { ReplicateServer } from './replicate-server.js';

/** A two-step text pipeline on the fake dolly: every row makes two predictions. */
export const TWO_STEP_PIPELINE = `name: two-step
steps:
  - id: first
    model: replicate/dolly-v2-12b:ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5
    template: "Name {{input}}"
  - id: second
    model: replicate/dolly-v2-12b:ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5
    template: "Describe {{first}}"
`;

/** Writes `count` JSONL rows `{"id":"row-N","input":"product N"}` and returns the path. */
export async function writeRows(directory: string, name: string, count: number): Promise<string> {
  const path = join(directory, name);
  const lines = Array.from({ length: count }, (_, index) => JSON.stringify({ id: `row-${index}`, input: `product ${index}` }));
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Every line of a results file, parsed (throws on a line that is not JSON). */
export async function readResultLines(path: string): Promise<BatchRowRecord[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as BatchRowRecord);
}

/** The server's predictions that succeeded, as `version + input` keys, with how many times each was bought. */
export function succeededByInput(server: ReplicateServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const prediction of server.predictions.values()) {
    if (prediction.status !== 'succeeded') continue;
    const key = `${prediction.version} ${JSON.stringify(prediction.input)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** How many of the server's predictions ended `succeeded`. */
export function succeededCount(server: ReplicateServer): number {
  return [...server.predictions.values()].filter((prediction) => prediction.status === 'succeeded').length;
}
