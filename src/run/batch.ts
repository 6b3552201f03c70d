/**
 * Runs a pipeline over many rows: a pool of workers over a streamed row iterator, the pipeline
 * prepared once, every row's step records journaled as they change, and each finished row
 * appended to the results. Rows an earlier run finished cost nothing; rows it left unfinished
 * resume from their first unfinished step, adopting predictions that were already running.
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { RunPipelineError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Pipeline } from '../pipeline/types.js';
import type { Provider } from '../providers/types.js';
import { percentile } from '../report/summary.js';
import type { InputRow } from './batch-inputs.js';
import type { BatchRowRecord, BatchSummary } from './batch-record.js';
import { folderFor, resolveRowInputs } from './batch-rows.js';
import type { DownloadOptions } from './downloads.js';
import { runPipeline, type RunEvent } from './executor.js';
import type { BatchStore } from './journal.js';
import { prepareSteps } from './prepare.js';
import type { RunRecord, StepRecord } from './record.js';
import { inShard, type Shard } from './shard.js';

/** A live view of a batch, for progress displays. */
export type BatchProgress = {
  elapsed_ms: number;
  /** Rows of this shard read so far. */
  rows_seen: number;
  succeeded: number;
  failed: number;
  skipped: number;
  running: number;
  /** Predictions created by this invocation. */
  predictions: number;
  compute_seconds: number;
};

/** Why a batch stopped before its last row. */
export type BatchStop = { reason: 'interrupted' | 'auth' | 'max-failures' | 'inputs'; error?: RunPipelineError };

/** Options for {@link runBatch}. */
export type BatchOptions = {
  provider: Provider;
  rows: AsyncIterable<InputRow>;
  store: BatchStore;
  /** Row files go to `<outDir>/<row-key>/`. */
  outDir: string;
  inputsFile: string;
  resultsFile: string;
  /** Rows in flight at once (default 4). */
  concurrency?: number;
  /** Stop taking rows once this many have failed in this run. */
  maxFailures?: number;
  shard?: Shard | null;
  signal?: AbortSignal;
  logger?: Logger;
  pollIntervalMs?: number;
  download?: DownloadOptions;
  onProgress?: (progress: BatchProgress) => void;
  onRowEnd?: (record: BatchRowRecord) => void;
};

/** The outcome of a batch: its summary, and why it stopped early if it did. */
export type BatchResult = { summary: BatchSummary; stop?: BatchStop };

/** The default of `--concurrency`: enough to overlap steps, few enough to stay polite to one account. */
export const DEFAULT_CONCURRENCY = 4;

/** The journal's record of a step whose create may be under way: enough to find or adopt it later. */
function startedStep(event: Extract<RunEvent, { type: 'step-start' }>): StepRecord {
  return {
    id: event.step,
    model: event.model,
    version: null,
    prediction_id: null,
    status: 'interrupted',
    input: event.input,
    output: null,
    files: [],
    metrics: { predict_time: null },
    queue_ms: null,
    attempts: 0,
    created_at: new Date().toISOString(),
    started_at: null,
    completed_at: null,
    duration_ms: 0,
  };
}

/**
 * The record of an unfinished step as the next run needs it: the executor's, but keeping what
 * only the journal knows (a step it never reached this time; when a lost create was started).
 */
function keepJournaled(step: StepRecord, journaled: StepRecord | undefined): StepRecord {
  if (!journaled) return step;
  if (step.status === 'skipped' && step.input === null) return journaled;
  if (step.status === 'succeeded' || step.prediction_id !== null || !isDeepStrictEqual(step.input, journaled.input)) return step;
  return { ...step, prediction_id: journaled.prediction_id, created_at: step.created_at ?? journaled.created_at };
}

/**
 * Counts what this invocation pays for: every create that succeeded. Everything else — streaming,
 * finding lost creates, whatever the provider learns next — passes through untouched.
 */
function countingProvider(provider: Provider, onCreate: () => void): Provider {
  const counted = Object.create(provider) as Provider;
  counted.createPrediction = async (request) => {
    const prediction = await provider.createPrediction(request);
    onCreate();
    return prediction;
  };
  return counted;
}

/** Runs every row of the batch. Throws only for what stops it before the first row (preflight, auth). */
export async function runBatch(pipeline: Pipeline, options: BatchOptions): Promise<BatchResult> {
  const started = new Date();
  const { store, logger } = options;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const counts = { seen: 0, succeeded: 0, failed: 0, skipped: 0, failedEarlier: 0, unfinished: 0, running: 0, predictions: 0, compute: 0 };
  const latencies: number[] = [];
  const seenKeys = new Set<string>();
  const provider = countingProvider(options.provider, () => (counts.predictions += 1));
  const halt = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
  // Each running row links one listener to this signal (and removes it when the row ends).
  setMaxListeners(concurrency + 16, signal);
  let stop: BatchStop | undefined;
  const stopWith = (next: BatchStop, cancelRunning: boolean) => {
    stop ??= next;
    if (cancelRunning && !halt.signal.aborted) halt.abort(new RunPipelineError('E_INTERRUPTED', `the batch stopped: ${next.error?.message ?? next.reason}`));
  };

  const prepared = await prepareSteps(pipeline, provider, options.signal);
  const progress = (): BatchProgress => ({
    elapsed_ms: Date.now() - started.getTime(),
    rows_seen: counts.seen,
    succeeded: counts.succeeded,
    failed: counts.failed,
    skipped: counts.skipped,
    running: counts.running,
    predictions: counts.predictions,
    compute_seconds: counts.compute,
  });
  const notify = () => options.onProgress?.(progress());

  const finishRow = (record: BatchRowRecord) => {
    store.finish(record);
    latencies.push(record.duration_ms);
    if (record.status === 'succeeded') counts.succeeded += 1;
    else counts.failed += 1;
    options.onRowEnd?.(record);
    if (options.maxFailures !== undefined && counts.failed >= options.maxFailures && record.status === 'failed') {
      stopWith({ reason: 'max-failures' }, false);
    }
  };

  /** Finds predictions a killed run created but never heard back about, so they are adopted, not bought again. */
  const recoverLostCreates = async (steps: StepRecord[]): Promise<StepRecord[]> => {
    const find = provider.findCreatedPrediction;
    if (!find) return steps;
    for (const [index, step] of steps.entries()) {
      const pipelineStep = pipeline.steps[index];
      if (!pipelineStep || step.status !== 'interrupted' || step.prediction_id !== null || step.input === null || step.created_at === null) continue;
      const found = await find({ model: pipelineStep.modelRef, input: step.input }, Date.parse(step.created_at)).catch(() => undefined);
      if (found) {
        logger?.info({ event: 'prediction-recover', step: step.id, predictionId: found.id }, `found prediction ${found.id} created before the earlier run stopped`);
        step.prediction_id = found.id;
      }
    }
    return steps;
  };

  const runRow = async (row: InputRow, inputs: Record<string, string>) => {
    const outDir = join(options.outDir, folderFor(row.key));
    const earlier = store.resumeSteps(row.key);
    const resume = earlier ? await recoverLostCreates(structuredClone(earlier)) : undefined;
    const snapshot: StepRecord[] = resume ? structuredClone(resume) : [];
    const indexOf = (stepId: string) => pipeline.steps.findIndex((step) => step.id === stepId);
    const onEvent = (event: RunEvent) => {
      if (event.type === 'step-start') {
        const previous = snapshot[event.index];
        const adoptable = previous?.prediction_id && previous.status !== 'failed' && isDeepStrictEqual(previous.input, event.input);
        if (!adoptable) snapshot[event.index] = startedStep(event);
      } else if (event.type === 'prediction-create') {
        const step = snapshot[indexOf(event.step)];
        if (step) step.prediction_id = event.predictionId;
      } else if (event.type === 'step-end') {
        const index = indexOf(event.step);
        snapshot[index] = keepJournaled(structuredClone(event.record), snapshot[index]);
      } else {
        return;
      }
      store.journal(row.key, row.index, snapshot);
    };
    const { record, error } = await runPipeline(pipeline, {
      provider,
      inputs,
      outDir,
      writeRecord: false,
      prepared,
      signal,
      onEvent,
      ...(resume ? { resume } : {}),
      ...(logger ? { logger: logger.child({ item: row.key }) } : {}),
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      ...(options.download ? { download: options.download } : {}),
    });
    counts.compute += record.steps.reduce((sum, step) => sum + (step.resumed === 'reused' ? 0 : (step.metrics.predict_time ?? 0)), 0);
    if (record.status === 'interrupted' || error?.code === 'E_AUTH') {
      // Unfinished, not failed: keep what it got so far for the next run, and write no result.
      const steps = record.steps.map((step, index) => keepJournaled(step, snapshot[index]));
      store.journal(row.key, row.index, steps);
      counts.unfinished += 1;
      if (error?.code === 'E_AUTH') stopWith({ reason: 'auth', error }, true);
      return;
    }
    finishRow({ ...record, key: row.key, row: row.index, out_dir: outDir });
  };

  const handleRow = async (row: InputRow) => {
    if (seenKeys.has(row.key)) {
      counts.failed += 1;
      logger?.error({ event: 'row-duplicate', item: row.key, row: row.index }, `row ${row.index} has the key "${row.key}" of an earlier row; it is not run (give each row its own id)`);
      return;
    }
    seenKeys.add(row.key);
    const earlier = store.status(row.key);
    if (earlier !== undefined) {
      counts.skipped += 1;
      if (earlier === 'failed') counts.failedEarlier += 1;
      return;
    }
    const resolved = resolveRowInputs(pipeline, row);
    if ('problem' in resolved) {
      const now = new Date().toISOString();
      finishRow({
        run_id: `row-${row.index}`,
        pipeline: { file: pipeline.file, name: pipeline.name ?? null, hash: pipeline.hash },
        inputs: { ...row.values, ...(row.bare === undefined ? {} : { input: row.bare }) },
        status: 'failed',
        output: null,
        steps: [],
        error: { code: 'E_USAGE', message: `row ${row.index}: ${resolved.problem}` },
        started_at: now,
        completed_at: now,
        duration_ms: 0,
        summary: { predictions: 0, compute_seconds: 0, wall_seconds: 0, queue_seconds: 0 },
        key: row.key,
        row: row.index,
        out_dir: join(options.outDir, folderFor(row.key)),
      } satisfies RunRecord & BatchRowRecord);
      return;
    }
    counts.running += 1;
    notify();
    try {
      await runRow(row, resolved.inputs);
    } finally {
      counts.running -= 1;
    }
  };

  const iterator = options.rows[Symbol.asyncIterator]();
  let fatal: unknown;
  const worker = async () => {
    while (!stop && !signal.aborted) {
      let next: IteratorResult<InputRow>;
      try {
        next = await iterator.next();
      } catch (error) {
        stopWith({ reason: 'inputs', ...(error instanceof RunPipelineError ? { error } : {}) }, false);
        if (!(error instanceof RunPipelineError)) fatal ??= error;
        return;
      }
      if (next.done) return;
      if (!inShard(next.value.key, options.shard)) continue;
      counts.seen += 1;
      try {
        await handleRow(next.value);
      } catch (error) {
        fatal ??= error;
        stopWith({ reason: 'interrupted' }, true);
      }
      notify();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (options.signal?.aborted) stop = { reason: 'interrupted' };
  if (fatal !== undefined) throw fatal;
  // Stopped early on purpose: the rows not reached are still counted, so every row is accounted for.
  if (stop && (stop.reason === 'auth' || stop.reason === 'max-failures')) {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (!inShard(next.value.key, options.shard)) continue;
      counts.seen += 1;
      const earlier = seenKeys.has(next.value.key) ? undefined : store.status(next.value.key);
      if (earlier === undefined) counts.unfinished += 1;
      else counts.skipped += 1;
      if (earlier === 'failed') counts.failedEarlier += 1;
      seenKeys.add(next.value.key);
    }
  }
  await iterator.return?.(undefined);

  const completed = new Date();
  latencies.sort((a, b) => a - b);
  const summary: BatchSummary = {
    pipeline: { file: pipeline.file, name: pipeline.name ?? null, hash: pipeline.hash },
    inputs_file: options.inputsFile,
    results_file: options.resultsFile,
    rows_total: counts.seen,
    rows_succeeded: counts.succeeded,
    rows_failed: counts.failed,
    rows_skipped: counts.skipped,
    rows_failed_earlier: counts.failedEarlier,
    rows_unfinished: counts.unfinished,
    predictions: counts.predictions,
    compute_seconds: Math.round(counts.compute * 1000) / 1000,
    wall_seconds: (completed.getTime() - started.getTime()) / 1000,
    row_latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    shard: options.shard ?? null,
    status: stop?.reason === 'interrupted' ? 'interrupted' : stop ? 'stopped' : counts.failed + counts.failedEarlier > 0 ? 'failed' : 'succeeded',
    started_at: started.toISOString(),
    completed_at: completed.toISOString(),
  };
  return stop ? { summary, stop } : { summary };
}
