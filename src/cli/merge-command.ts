/**
 * `run-pipeline merge results-*.jsonl [--output merged.jsonl]`: combines the results of shards
 * (or of runs) into one file with one line per row key. A succeeded line beats a failed one;
 * rows found in several files with different outcomes, and files from different pipeline
 * versions, are reported. Two passes over the files keep memory to one small entry per key.
 */
import { resolve } from 'node:path';
import { replaceFileByLines } from '../atomic-file.js';
import { UsageError } from '../errors.js';
import { readResultLines } from '../run/results-file.js';
import { parseCommandArgs } from './args.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';

type Choice = { file: number; line: number; succeeded: boolean; output: string | null };

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
      for await (const { record, line } of readResultLines(file, () => (dropped += 1))) {
        if (record.pipeline?.hash) hashes.add(record.pipeline.hash);
        const candidate: Choice = { file: fileIndex, line, succeeded: record.status === 'succeeded', output: record.output ?? null };
        const earlier = chosen.get(record.key);
        if (!earlier) {
          chosen.set(record.key, candidate);
          continue;
        }
        if (earlier.succeeded && candidate.succeeded && earlier.output !== candidate.output) {
          conflicts += 1;
          io.stderr.write(`merge: row ${record.key} succeeded in two files with different outputs; keeping the first (${files[earlier.file]})\n`);
        }
        if (!earlier.succeeded && candidate.succeeded) chosen.set(record.key, candidate);
      }
    } catch (error) {
      throw new UsageError('E_FILE', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }

  const output = parsed.values.output ? resolve(io.cwd, parsed.values.output) : undefined;
  let succeeded = 0;
  let failed = 0;
  const emit = async (line: (text: string) => void) => {
    for (const [fileIndex, file] of files.entries()) {
      for await (const { record, line: number, text } of readResultLines(file)) {
        const choice = chosen.get(record.key);
        if (choice?.file !== fileIndex || choice.line !== number) continue;
        if (choice.succeeded) succeeded += 1;
        else failed += 1;
        line(text);
      }
    }
  };
  if (output) await replaceFileByLines(output, emit);
  else await emit((text) => io.stdout.write(`${text}\n`));
  if (hashes.size > 1) io.stderr.write(`merge: warning: the files come from ${hashes.size} different versions of the pipeline file\n`);
  if (dropped > 0) io.stderr.write(`merge: dropped ${dropped} unreadable line(s)\n`);
  io.stderr.write(`merge: ${chosen.size} rows (${succeeded} succeeded, ${failed} failed) from ${files.length} file(s)${conflicts > 0 ? `, ${conflicts} conflict(s)` : ''}${output ? ` → ${output}` : ''}\n`);
  return failed > 0 || conflicts > 0 || hashes.size > 1 ? EXIT.failed : EXIT.ok;
}
