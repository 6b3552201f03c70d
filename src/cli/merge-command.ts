/**
 * `run-pipeline merge results-*.jsonl [--output merged.jsonl]`: combines the results of shards
 * (or of runs) into one file with one line per row key. A succeeded line beats a failed one;
 * rows found in several files with different outcomes, and files from different pipeline
 * versions, are reported. Two passes over the files keep memory to one small entry per key.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { replaceFileByLines } from '../atomic-file.js';
import { UsageError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';

type Choice = { file: number; line: number; succeeded: boolean; output: string | null };

/** Visits each whole, parseable line of a results file. */
async function visitResults(path: string, visit: (record: { key: string; status: string; output?: string | null; pipeline?: { hash?: string } }, line: number, text: string) => void): Promise<number> {
  let line = 0;
  let dropped = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const text of lines) {
    const number = line++;
    if (text.trim() === '') continue;
    try {
      const record = JSON.parse(text) as { key?: unknown; status?: unknown };
      if (typeof record.key !== 'string' || typeof record.status !== 'string') throw new Error('not a results line');
      visit(record as { key: string; status: string }, number, text);
    } catch {
      dropped += 1;
    }
  }
  return dropped;
}

/** Runs `merge` and returns its exit code. */
export async function mergeCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, { output: { type: 'string', short: 'o' } }, 'run-pipeline merge results-*.jsonl --output merged.jsonl');
  const files = parsed.positionals.map((file) => resolve(io.cwd, file));
  if (files.length === 0) throw new UsageError('E_USAGE', 'merge needs at least one results file', { hint: 'run-pipeline merge results-*.jsonl --output merged.jsonl' });

  const chosen = new Map<string, Choice>();
  const hashes = new Set<string>();
  let conflicts = 0;
  let dropped = 0;
  for (const [fileIndex, file] of files.entries()) {
    try {
      dropped += await visitResults(file, (record, line) => {
        if (record.pipeline?.hash) hashes.add(record.pipeline.hash);
        const candidate: Choice = { file: fileIndex, line, succeeded: record.status === 'succeeded', output: record.output ?? null };
        const earlier = chosen.get(record.key);
        if (!earlier) return void chosen.set(record.key, candidate);
        if (earlier.succeeded && candidate.succeeded && earlier.output !== candidate.output) {
          conflicts += 1;
          io.stderr.write(`merge: row ${record.key} succeeded in two files with different outputs; keeping the first (${files[earlier.file]})\n`);
        }
        if (!earlier.succeeded && candidate.succeeded) chosen.set(record.key, candidate);
      });
    } catch (error) {
      throw new UsageError('E_FILE', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }

  const output = parsed.values.output ? resolve(io.cwd, parsed.values.output) : undefined;
  let succeeded = 0;
  let failed = 0;
  const emit = async (line: (text: string) => void) => {
    for (const [fileIndex, file] of files.entries()) {
      await visitResults(file, (record, number, text) => {
        const choice = chosen.get(record.key);
        if (choice?.file !== fileIndex || choice.line !== number) return;
        if (choice.succeeded) succeeded += 1;
        else failed += 1;
        line(text);
      });
    }
  };
  if (output) await replaceFileByLines(output, emit);
  else await emit((text) => io.stdout.write(`${text}\n`));
  if (hashes.size > 1) io.stderr.write(`merge: warning: the files come from ${hashes.size} different versions of the pipeline file\n`);
  if (dropped > 0) io.stderr.write(`merge: dropped ${dropped} unreadable line(s)\n`);
  io.stderr.write(`merge: ${chosen.size} rows (${succeeded} succeeded, ${failed} failed) from ${files.length} file(s)${conflicts > 0 ? `, ${conflicts} conflict(s)` : ''}${output ? ` → ${output}` : ''}\n`);
  return failed > 0 || conflicts > 0 || hashes.size > 1 ? EXIT.failed : EXIT.ok;
}
