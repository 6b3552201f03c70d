/**
 * Runs one set of inputs through every step of a pipeline: render the template, create the
 * prediction, wait for it, save its files, and thread its output on. Nothing is created until
 * every step's model schema and prompt key are known, and every prediction this function starts
 * is finished or canceled before it returns.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { PredictionError, RunPipelineError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Pipeline, Step } from '../pipeline/types.js';
import type { Prediction, Provider } from '../providers/types.js';
import { downloadFiles, type DownloadOptions } from './downloads.js';
import { interpretOutput } from './outputs.js';
import type { RunRecord, StepRecord } from './record.js';
import { prepareSteps, type PreparedStep } from './prepare.js';
import { cutAtStop } from './stop.js';
import { isTerminal, waitForPrediction } from './wait.js';

/** Progress events, for displays; the record is the source of truth. */
export type RunEvent =
  | { type: 'step-start'; step: string; index: number; model: string; input: Record<string, unknown> }
  | { type: 'prediction-create'; step: string; predictionId: string }
  | { type: 'step-output'; step: string; chunk: string }
  | { type: 'step-end'; step: string; record: StepRecord };

/** Options for {@link runPipeline}. */
export type RunOptions = {
  provider: Provider;
  /** Resolved pipeline inputs (see resolveInputs). */
  inputs: Record<string, string>;
  runId?: string;
  /** Where output files and run.json go. */
  outDir: string;
  /** Write `<outDir>/run.json` at the end (default true). */
  writeRecord?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  pollIntervalMs?: number;
  download?: DownloadOptions;
  /**
   * Step records of an earlier, unfinished run of the same inputs (a batch resuming). A step
   * whose input is unchanged is not paid for again: a succeeded one is reused as it was (its
   * files must still exist), and one whose prediction was created but not seen to finish is
   * adopted by polling that prediction instead of creating another.
   */
  resume?: readonly StepRecord[];
  /** Steps already prepared (a batch prepares once for all its rows); prepared here otherwise. */
  prepared?: readonly PreparedStep[];
};

/** The outcome of a run: the record, and the error that ended it if it did not succeed. */
export type RunResult = { record: RunRecord; error?: RunPipelineError };

/** A sortable, unique run id: `20261124-123456-1a2b3c`. */
export function createRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function emptyStepRecord(step: Step): StepRecord {
  return {
    id: step.id,
    model: step.model,
    version: step.modelRef.version ?? null,
    prediction_id: null,
    status: 'skipped',
    input: null,
    output: null,
    files: [],
    metrics: { predict_time: null },
    attempts: 0,
    created_at: null,
    started_at: null,
    completed_at: null,
    duration_ms: 0,
  };
}

function toRunError(error: unknown, signal?: AbortSignal): RunPipelineError {
  if (error instanceof RunPipelineError) return error;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof RunPipelineError ? reason : new RunPipelineError('E_INTERRUPTED', 'the run was interrupted');
  }
  return new RunPipelineError('E_INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
}

async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const partial = `${path}.${randomBytes(4).toString('hex')}.part`;
  await writeFile(partial, `${JSON.stringify(value, null, 2)}\n`);
  await rename(partial, path);
}

/** Runs the pipeline for one set of inputs. Resolves with the record whether or not it succeeded. */
export async function runPipeline(pipeline: Pipeline, options: RunOptions): Promise<RunResult> {
  const runId = options.runId ?? createRunId();
  const started = new Date();
  const steps = pipeline.steps.map(emptyStepRecord);
  const record: RunRecord = {
    run_id: runId,
    pipeline: { file: pipeline.file, name: pipeline.name ?? null, hash: pipeline.hash },
    inputs: { ...options.inputs },
    status: 'succeeded',
    output: null,
    steps,
    started_at: started.toISOString(),
    completed_at: started.toISOString(),
    duration_ms: 0,
  };
  let failure: RunPipelineError | undefined;
  try {
    const prepared = options.prepared ?? (await prepareSteps(pipeline, options.provider, options.signal));
    const context: Record<string, string> = { ...options.inputs };
    for (const [index, preparedStep] of prepared.entries()) {
      const stepRecord = steps[index] as StepRecord;
      const result = await runStep(preparedStep, index, context, stepRecord, { ...options, runId });
      context[preparedStep.step.id] = result.threaded;
      record.output = result.final;
    }
  } catch (error) {
    failure = toRunError(error, options.signal);
    record.status = failure.code === 'E_INTERRUPTED' ? 'interrupted' : 'failed';
    record.error = { code: failure.code, message: failure.message };
    const failedStep = steps.find((step) => step.status === 'failed' || step.status === 'interrupted' || step.status === 'canceled' || step.status === 'aborted');
    if (failedStep) record.error.step = failedStep.id;
  }
  const completed = new Date();
  record.completed_at = completed.toISOString();
  record.duration_ms = completed.getTime() - started.getTime();
  if (options.writeRecord ?? true) {
    await mkdir(options.outDir, { recursive: true });
    await writeJsonAtomically(join(options.outDir, 'run.json'), record);
  }
  return failure ? { record, error: failure } : { record };
}

type StepResult = { threaded: string; final: string };

async function runStep(prepared: PreparedStep, index: number, context: Record<string, string>, stepRecord: StepRecord, options: RunOptions & { runId: string }): Promise<StepResult> {
  const { step, schema, promptKey } = prepared;
  const logger = options.logger?.child({ step: step.id });
  const started = Date.now();
  const input: Record<string, unknown> = { [promptKey]: step.template.render(context), ...step.modelKwargs };
  stepRecord.input = input;
  stepRecord.version = step.modelRef.version ?? schema.version;
  const previous = options.resume?.[index];
  const sameWork = previous !== undefined && previous.id === step.id && previous.model === step.model && isDeepStrictEqual(previous.input, input);
  if (sameWork && previous.status === 'succeeded' && (await allExist(previous.files))) {
    Object.assign(stepRecord, structuredClone(previous), { resumed: 'reused' });
    options.onEvent?.({ type: 'step-end', step: step.id, record: stepRecord });
    logger?.info({ event: 'step-reuse', predictionId: previous.prediction_id }, `step ${step.id} reused from the earlier run`);
    return { threaded: previous.output ?? '', final: previous.files[0]?.path ?? previous.output ?? '' };
  }
  // A succeeded step whose files are gone can still be re-downloaded from its prediction within the hour.
  let adoptId = sameWork && previous.status !== 'failed' ? (previous.prediction_id ?? undefined) : undefined;
  options.onEvent?.({ type: 'step-start', step: step.id, index, model: step.model, input });
  logger?.info({ event: 'step-start', model: step.model, promptKey }, `step ${step.id} started`);
  try {
    let prediction: Prediction | undefined;
    const attempts = 1 + (step.retries ?? 0);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      stepRecord.attempts = attempt;
      prediction = await runPrediction(step, input, stepRecord, options, adoptId);
      adoptId = undefined;
      if (prediction.status === 'succeeded' || attempt === attempts) break;
      logger?.warn({ event: 'step-retry', predictionId: prediction.id, attempt }, `prediction ${prediction.id} ${prediction.status}: ${prediction.error ?? ''}; retrying (${attempt}/${attempts - 1})`);
    }
    const finished = prediction as Prediction;
    if (finished.status !== 'succeeded') {
      stepRecord.status = finished.status === 'failed' ? 'failed' : finished.status === 'aborted' ? 'aborted' : 'canceled';
      const code = finished.status === 'failed' ? 'E_PREDICTION_FAILED' : 'E_PREDICTION_CANCELED';
      throw new PredictionError(code, `step "${step.id}": prediction ${finished.id} ${finished.status}${finished.error ? `: ${finished.error}` : ''}`, {
        predictionId: finished.id,
        status: finished.status,
        ...(step.locations.step ? { location: step.locations.step } : {}),
      });
    }
    const interpreted = interpretOutput(finished.output, schema.output);
    let threaded: string;
    let final: string;
    if (interpreted.kind === 'files') {
      const saved = await downloadFiles(interpreted.urls, options.outDir, step.id, { ...options.download, ...(options.signal ? { signal: options.signal } : {}) });
      stepRecord.files = saved.map((file) => ({ path: file.path, url: file.url, bytes: file.bytes, content_type: file.contentType }));
      threaded = interpreted.urls[0] as string;
      final = (saved[0] as { path: string }).path;
      logger?.info({ event: 'files-save', files: saved.map((file) => file.path) }, `saved ${saved.length} file(s)`);
    } else {
      threaded = interpreted.kind === 'text' ? cutAtStop(interpreted.text, step.stop).text : interpreted.text;
      if (interpreted.kind === 'json') stepRecord.raw_output = interpreted.value;
      final = threaded;
    }
    stepRecord.output = threaded;
    stepRecord.status = 'succeeded';
    return { threaded, final };
  } catch (error) {
    if (stepRecord.status === 'skipped' || stepRecord.status === 'succeeded') {
      stepRecord.status = options.signal?.aborted ? 'interrupted' : 'failed';
    }
    const runError = toRunError(error, options.signal);
    stepRecord.error = { code: runError.code, message: runError.message };
    throw runError;
  } finally {
    stepRecord.duration_ms = Date.now() - started;
    options.onEvent?.({ type: 'step-end', step: step.id, record: stepRecord });
    logger?.info(
      { event: 'step-end', predictionId: stepRecord.prediction_id, status: stepRecord.status, durationMs: stepRecord.duration_ms, predictTime: stepRecord.metrics.predict_time, output: stepRecord.output },
      `step ${step.id} ${stepRecord.status} in ${(stepRecord.duration_ms / 1000).toFixed(1)} s`,
    );
  }
}

/** True when every saved file is still on disk. */
async function allExist(files: readonly { path: string }[]): Promise<boolean> {
  const found = await Promise.all(files.map((file) => access(file.path).then(() => true, () => false)));
  return found.every(Boolean);
}

/** An earlier run's prediction, if it can still give us its result (running, or succeeded with its output kept). */
async function adoptPrediction(provider: Provider, id: string, logger?: Logger): Promise<Prediction | undefined> {
  try {
    const found = await provider.getPrediction(id);
    const usable = found.status === 'starting' || found.status === 'processing' || (found.status === 'succeeded' && !found.dataRemoved);
    logger?.info({ event: 'prediction-adopt', predictionId: id, status: found.status, usable }, usable ? `adopted prediction ${id} from the earlier run` : `earlier prediction ${id} is ${found.status}; creating a new one`);
    return usable ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Creates one prediction and waits for it; cancels it if we stop waiting before it ends. */
async function runPrediction(step: Step, input: Record<string, unknown>, stepRecord: StepRecord, options: RunOptions, adoptId?: string): Promise<Prediction> {
  const { provider, signal } = options;
  let current = adoptId ? await adoptPrediction(provider, adoptId, options.logger) : undefined;
  if (current) stepRecord.resumed = 'adopted';
  current ??= await provider.createPrediction({ model: step.modelRef, input, ...(signal ? { signal } : {}) });
  const update = (prediction: Prediction) => {
    current = prediction;
    stepRecord.prediction_id = prediction.id;
    stepRecord.version = prediction.version === 'hidden' ? stepRecord.version : prediction.version;
    stepRecord.created_at = prediction.createdAt ?? stepRecord.created_at;
    stepRecord.started_at = prediction.startedAt ?? stepRecord.started_at;
    stepRecord.completed_at = prediction.completedAt ?? stepRecord.completed_at;
    stepRecord.metrics.predict_time = prediction.predictTime ?? stepRecord.metrics.predict_time;
  };
  update(current);
  options.onEvent?.({ type: 'prediction-create', step: step.id, predictionId: current.id });
  try {
    const finished = await waitForPrediction(provider, current, {
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      ...(signal ? { signal } : {}),
      onUpdate: update,
    });
    update(finished);
    return finished;
  } catch (error) {
    if (!isTerminal(current.status)) {
      const abandoned = current.id;
      await provider.cancelPrediction(abandoned).then(update, (cancelError: unknown) => {
        options.logger?.error({ event: 'prediction-cancel-fail', predictionId: abandoned, error: String(cancelError) }, `could not cancel prediction ${abandoned}: cancel it at https://replicate.com/p/${abandoned}`);
      });
    }
    throw error;
  }
}
