/**
 * Reading a batch's results file (results.jsonl): one JSON object per finished row. The batch's
 * store, its reports and `merge` all read it through here, so they agree on what a line is.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BatchRowRecord } from './batch-record.js';

/** Parses one JSONL line if it is a valid object of the expected shape. */
export function parseLine<T>(line: string, isValid: (value: Record<string, unknown>) => boolean): T | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && isValid(value as Record<string, unknown>) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** True for a results line: a row key and a finished status. */
export function isResultLine(value: Record<string, unknown>): boolean {
  return typeof value.key === 'string' && (value.status === 'succeeded' || value.status === 'failed');
}

/** A results line with where it stands (0-based line number) and its exact text. */
export type ResultLine = { record: BatchRowRecord; line: number; text: string };

/**
 * Streams the valid lines of a results file. Blank lines are skipped; any other line that is not a
 * results line (a torn last line, say) is reported to `onDropped` and skipped.
 */
export async function* readResultLines(path: string, onDropped?: (line: number) => void): AsyncGenerator<ResultLine> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    const number = line++;
    if (text.trim() === '') continue;
    const record = parseLine<BatchRowRecord>(text, isResultLine);
    if (record) yield { record, line: number, text };
    else onDropped?.(number);
  }
}
