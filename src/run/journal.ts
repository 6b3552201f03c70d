/**
 * What a batch keeps on disk so a re-run is cheap and safe: the results file (one line per
 * finished row) and a step journal (the latest step records of rows not finished yet). Both are
 * append-only JSON Lines, each line written with one write call, so `kill -9` can at worst tear
 * the last line, which the next run drops. Rewrites (dropping a torn line, taking failed rows
 * back for --retry-failed, compaction) go through a temporary file and a rename, so the results
 * file is always whole and never holds two lines for one row.
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { replaceFileByLines } from '../atomic-file.js';
import { UsageError } from '../errors.js';
import type { BatchRowRecord } from './batch-record.js';
import type { StepRecord } from './record.js';
import { isResultLine, parseLine } from './results-file.js';

/** One journal line: the step records of a row at a moment of its run. */
export type JournalEntry = { key: string; row: number; pipeline_hash: string; steps: StepRecord[] };

/** Options for {@link openBatchStore}. */
export type BatchStoreOptions = {
  resultsPath: string;
  journalPath: string;
  pipelineHash: string;
  /** Set earlier results aside (to `<results>.bak`) and start over. */
  fresh?: boolean;
  /** Take failed rows out of the results so they run again (their succeeded steps are kept). */
  retryFailed?: boolean;
};

/** What opening the store found and repaired. */
export type StoreReport = {
  /** Rows already finished in the results file. */
  succeeded: number;
  failed: number;
  /** Rows with unfinished work in the journal. */
  resumable: number;
  /** Torn or unreadable lines dropped (results and journal). */
  droppedLines: number;
  /** Lines dropped because another line of the same row was kept. */
  duplicateLines: number;
};

/** The batch's view of its results and journal. */
export type BatchStore = {
  readonly report: StoreReport;
  /** How an earlier run finished this row, if it did. */
  status(key: string): 'succeeded' | 'failed' | undefined;
  /** The last known step records of an unfinished row, to resume it. */
  resumeSteps(key: string): StepRecord[] | undefined;
  /** Journals a row's step records as they are now. */
  journal(key: string, row: number, steps: readonly StepRecord[]): void;
  /** Appends a finished row to the results; it will never be written again. */
  finish(record: BatchRowRecord): void;
  /** Compacts the journal to the rows still unfinished and closes the files. */
  close(): Promise<void>;
};

type LineVisitor = (line: string, number: number) => void;

/** Reads a JSONL file line by line; returns whether its last line is torn (no newline at the end). */
async function visitLines(path: string, visit: LineVisitor): Promise<{ exists: boolean; tornBytes: number; size: number }> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return { exists: false, tornBytes: 0, size: 0 };
  }
  if (size === 0) return { exists: true, tornBytes: 0, size };
  const handle = await open(path, 'r');
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  await handle.close();
  const torn = last[0] !== 0x0a;
  let number = 0;
  let previous: string | undefined;
  const lines = createInterface({ input: createReadStream(path, { end: size - 1 }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (previous !== undefined) visit(previous, number++);
    previous = line;
  }
  if (previous !== undefined && !torn) visit(previous, number);
  return { exists: true, tornBytes: torn ? Buffer.byteLength(previous ?? '') : 0, size };
}

const isJournalLine = (value: Record<string, unknown>) => typeof value.key === 'string' && Array.isArray(value.steps);


/** Opens (creating, repairing and compacting as needed) the results and journal of a batch. */
export async function openBatchStore(options: BatchStoreOptions): Promise<BatchStore> {
  const { resultsPath, journalPath, pipelineHash } = options;
  await mkdir(dirname(resultsPath), { recursive: true });
  await mkdir(dirname(journalPath), { recursive: true });
  if (options.fresh) {
    await rename(resultsPath, `${resultsPath}.bak`).catch(() => undefined);
    await rm(journalPath, { force: true });
  }
  const report: StoreReport = { succeeded: 0, failed: 0, resumable: 0, droppedLines: 0, duplicateLines: 0 };
  // key -> line number * 2 + (1 if succeeded): one number per finished row keeps a million rows small.
  const chosen = new Map<string, number>();
  const failedSteps = new Map<string, JournalEntry>();
  let otherHash: string | undefined;
  const results = await visitLines(resultsPath, (line, number) => {
    const record = parseLine<BatchRowRecord>(line, isResultLine);
    if (!record) {
      report.droppedLines += 1;
      return;
    }
    if (record.pipeline?.hash !== pipelineHash) otherHash ??= record.pipeline?.hash ?? 'unknown';
    const earlier = chosen.get(record.key);
    const succeeded = record.status === 'succeeded';
    if (earlier !== undefined) {
      report.duplicateLines += 1;
      if (earlier % 2 === 1 || !succeeded) return;
    }
    chosen.set(record.key, number * 2 + (succeeded ? 1 : 0));
    if (!succeeded && options.retryFailed) failedSteps.set(record.key, { key: record.key, row: record.row, pipeline_hash: record.pipeline.hash, steps: record.steps });
    else failedSteps.delete(record.key);
  });
  if (results.tornBytes > 0) report.droppedLines += 1;

  const resume = new Map<string, JournalEntry>();
  const journal = await visitLines(journalPath, (line) => {
    const entry = parseLine<JournalEntry>(line, isJournalLine);
    if (!entry) {
      report.droppedLines += 1;
      return;
    }
    if (entry.pipeline_hash !== pipelineHash) otherHash ??= entry.pipeline_hash;
    const done = chosen.get(entry.key);
    if (done === undefined || (done % 2 === 0 && options.retryFailed)) resume.set(entry.key, entry);
  });
  if (journal.tornBytes > 0) report.droppedLines += 1;

  if (otherHash !== undefined) {
    throw new UsageError('E_PIPELINE_CHANGED', `the pipeline file changed since ${resultsPath} was started (its hash was ${otherHash.slice(0, 12)}, now ${pipelineHash.slice(0, 12)})`, {
      hint: 'mixing results of two pipeline versions in one file is refused: re-run with --fresh to start over (the old results are kept as .bak), or give another --output',
    });
  }
  // A failed row taken back keeps its journal progress if it has any, else its results steps.
  for (const [key, entry] of failedSteps) if (!resume.has(key)) resume.set(key, entry);

  await replaceFileByLines(journalPath, (line) => {
    for (const entry of resume.values()) line(JSON.stringify(entry));
  });
  const rewriteResults = report.droppedLines > 0 || report.duplicateLines > 0 || failedSteps.size > 0;
  if (results.exists && rewriteResults) {
    await replaceFileByLines(resultsPath, async (line) => {
      await visitLines(resultsPath, (text, number) => {
        const record = parseLine<BatchRowRecord>(text, isResultLine);
        if (!record || chosen.get(record.key) !== number * 2 + (record.status === 'succeeded' ? 1 : 0)) return;
        if (failedSteps.has(record.key)) return;
        line(text);
      });
    });
  }
  for (const key of failedSteps.keys()) chosen.delete(key);
  for (const value of chosen.values()) {
    if (value % 2 === 1) report.succeeded += 1;
    else report.failed += 1;
  }
  report.resumable = resume.size;

  const resultsFd = openSync(resultsPath, 'a');
  const journalFd = openSync(journalPath, 'a');
  const live = new Map<string, JournalEntry>();
  return {
    report,
    status(key) {
      const value = chosen.get(key);
      return value === undefined ? undefined : value % 2 === 1 ? 'succeeded' : 'failed';
    },
    resumeSteps: (key) => (live.get(key) ?? resume.get(key))?.steps,
    journal(key, row, steps) {
      const entry: JournalEntry = { key, row, pipeline_hash: pipelineHash, steps: [...steps] };
      writeSync(journalFd, `${JSON.stringify(entry)}\n`);
      live.set(key, entry);
    },
    finish(record) {
      if (chosen.has(record.key)) throw new Error(`row ${record.key} is already in the results`);
      writeSync(resultsFd, `${JSON.stringify(record)}\n`);
      chosen.set(record.key, record.status === 'succeeded' ? 1 : 0);
      live.delete(record.key);
      resume.delete(record.key);
    },
    async close() {
      closeSync(resultsFd);
      closeSync(journalFd);
      const remaining = new Map([...resume, ...live]);
      if (remaining.size === 0) await rm(journalPath, { force: true });
      else await replaceFileByLines(journalPath, (line) => {
        for (const entry of remaining.values()) line(JSON.stringify(entry));
      });
    },
  };
}
