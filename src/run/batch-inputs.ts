/**
 * The rows of a batch, read as a stream so memory stays flat however long the file is: JSON Lines
 * (an object per line, or a bare string), or CSV with a header row (through csv-parse). Each row
 * gets its stable key here: its `id` value when it has one, else a hash of its values.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { UsageError } from '../errors.js';
import { inShard, type Shard } from './shard.js';

/** The formats `--inputs` reads. */
export type InputsFormat = 'jsonl' | 'csv';

/**
 * One row as read: its values by name (a bare string or a single CSV column is `bare`), or the
 * reason it cannot be used. Row problems fail that row only; a file problem throws.
 */
export type InputRow = {
  /** 0-based position among the data rows (the CSV header is not a row). */
  index: number;
  key: string;
  values: Record<string, string>;
  /** A row that is just a value: it goes to the pipeline's `input`. */
  bare?: string;
  problem?: string;
};

/** Options for {@link readInputRows}. */
export type ReadInputsOptions = {
  /** A path, or `-` for `stdin`. */
  file: string;
  format?: InputsFormat;
  stdin?: Readable;
};

/** The format for a file name: `.csv` is CSV, anything else (and stdin) JSON Lines. */
export function formatFor(file: string): InputsFormat {
  return file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
}

/** JSON with object keys sorted, so equal rows hash alike whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The key of a row without an `id`: 16 hex digits of the sha256 of its canonical values. */
export function hashKey(values: unknown): string {
  return createHash('sha256').update(canonicalJson(values)).digest('hex').slice(0, 16);
}

/** A row's values as strings; numbers and booleans are written as JSON writes them. */
function stringValues(record: Record<string, unknown>): { values: Record<string, string>; problem?: string } {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    if (typeof value === 'string') values[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') values[name] = String(value);
    else return { values, problem: `"${name}" is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : 'an object'}; inputs are text` };
  }
  return { values };
}

/** Builds the row from its values: the key is `id` when present, else the values' hash. */
function toRow(index: number, values: Record<string, string>, problem?: string): InputRow {
  const id = values.id;
  const key = id !== undefined && id.trim() !== '' ? id.trim() : hashKey(values);
  return problem === undefined ? { index, key, values } : { index, key, values, problem };
}

/** Parses one JSON Lines line into a row. */
export function parseJsonRow(line: string, index: number): InputRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return { index, key: hashKey(line), values: {}, problem: `line is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof parsed === 'string') return { index, key: hashKey({ input: parsed }), values: {}, bare: parsed };
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { index, key: hashKey(line), values: {}, problem: 'a row must be a JSON object or a string' };
  }
  const { values, problem } = stringValues(parsed as Record<string, unknown>);
  return toRow(index, values, problem);
}

async function* jsonLines(stream: Readable): AsyncGenerator<InputRow> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let index = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    yield parseJsonRow(line, index);
    index += 1;
  }
}

async function* csvRows(stream: Readable, file: string): AsyncGenerator<InputRow> {
  const parser = stream.pipe(parseCsv({ bom: true, skip_empty_lines: true, relax_column_count: true }));
  stream.on('error', (error) => parser.destroy(error));
  let header: string[] | undefined;
  let index = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = record.map((name) => name.trim());
        const duplicate = header.find((name, position) => header?.indexOf(name) !== position);
        if (header.some((name) => name === '') || duplicate !== undefined) {
          throw new UsageError('E_FILE', `${file}: the CSV header ${duplicate === undefined ? 'has an empty column name' : `names "${duplicate}" twice`}`, {
            hint: 'the first line of a CSV inputs file names the pipeline inputs, one per column',
          });
        }
        continue;
      }
      if (header.length === 1) {
        const value = record[0] ?? '';
        yield header[0] === 'id' ? toRow(index, { id: value }) : { index, key: hashKey({ input: value }), values: {}, bare: value };
      } else {
        const values: Record<string, string> = {};
        for (const [position, name] of header.entries()) values[name] = record[position] ?? '';
        const problem = record.length === header.length ? undefined : `the row has ${record.length} columns, the header ${header.length}`;
        yield toRow(index, values, problem);
      }
      index += 1;
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError('E_FILE', `${file}: cannot read the CSV (${message})`, { hint: 'quote fields that contain commas, quotes or line breaks' });
  }
}

/** Fails with E_FILE when the inputs file cannot be read, before anything else happens. */
async function checkReadable(file: string): Promise<void> {
  try {
    const handle = await open(file, 'r');
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UsageError('E_FILE', `cannot read the inputs file ${file} (${code})`, { hint: 'give --inputs a JSON Lines or CSV file, or - for stdin' });
  }
}

/**
 * Streams the rows of an inputs file. Throws UsageError('E_FILE') at once for an unreadable file;
 * the file is opened when the first row is asked for, and a bad CSV header fails that first read.
 */
export async function readInputRows(options: ReadInputsOptions): Promise<AsyncGenerator<InputRow>> {
  if (options.file !== '-') await checkReadable(options.file);
  const format = options.format ?? formatFor(options.file);
  const name = options.file === '-' ? 'stdin' : options.file;
  return (async function* rows() {
    const stream = options.file === '-' ? (options.stdin ?? process.stdin) : createReadStream(options.file);
    try {
      yield* format === 'csv' ? csvRows(stream, name) : jsonLines(stream);
    } finally {
      if (options.file !== '-') stream.destroy();
    }
  })();
}

/** Counts the rows of an inputs file that belong to `shard`, reading it as a stream; gives the progress display its total and ETA. */
export async function countInputRows(options: ReadInputsOptions, shard: Shard | null): Promise<number> {
  let count = 0;
  for await (const row of await readInputRows(options)) if (inShard(row.key, shard)) count += 1;
  return count;
}
