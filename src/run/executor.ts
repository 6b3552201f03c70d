/**
 * Runs one set of inputs through every step of a pipeline: render the template, create the
 * prediction, wait for it, save its files, and thread its output on. Nothing is created until
 * every step's model schema and prompt key are known, and every prediction this function starts
 * is finished or canceled before it returns.
 */
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeFileAtomically } from '../atomic-file.js';
import { PredictionError, RunPipelineError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Pipeline, Step } from '../pipeline/types.js';
import type { Provider } from '../providers/types.js';
import { createDeadline, formatLimit, type Deadline } from './deadline.js';
import { downloadFiles, type DownloadOptions } from './downloads.js';
import type { FollowResult } from './follow.js';
import { LiveText } from './live-text.js';
import { interpretOutput, producesText } from './outputs.js';
import { runPrediction } from './prediction.js';
import type { RunRecord, StepRecord } from './record.js';
import { prepareSteps, type PreparedStep } from './prepare.js';
import { withServerStops } from './server-stop.js';
import { cutAtStop } from './stop.js';
import { RunTally } from './tally.js';

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
  /** Read text steps' live output streams when offered (default true); polling otherwise. */
  stream?: boolean;
  /** A limit on the whole run, in seconds; each step's own `timeout` applies within it. */
  timeoutSeconds?: number;
  /** Refuse (E_LIMIT) to create more predictions than this in the run, retries included. */
  maxPredictions?: number;
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
    queue_ms: null,
    attempts: 0,
    created_at: null,
    started_at: null,
    completed_at: null,
    duration_ms: 0,
  };
}

/** The error to report: an aborted signal's reason (a timeout, or an interrupt) wins over what it caused. */
function toRunError(error: unknown, signal?: AbortSignal): RunPipelineError {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof RunPipelineError ? reason : new RunPipelineError('E_INTERRUPTED', 'the run was interrupted');
  }
  if (error instanceof RunPipelineError) return error;
  return new RunPipelineError('E_INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
}



/** Runs the pipeline for one set of inputs. Resolves with the record whether or not it succeeded. */
export async function runPipeline(pipeline: Pipeline, options: RunOptions): Promise<RunResult> {
  const runId = options.runId ?? createRunId();
  const started = new Date();
  const steps = pipeline.steps.map(emptyStepRecord);
  const tally = new RunTally(options.maxPredictions);
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
    summary: tally.summary(0),
  };
  let currentStep: string | undefined;
  const limit = options.timeoutSeconds;
  const runDeadline = createDeadline(limit, {
    message: () => `the run ran past --timeout ${formatLimit(limit ?? 0)}${currentStep ? ` during step "${currentStep}"` : ''}`,
    hint: 'raise --timeout, or set a timeout on the slow step',
  }, { signal: options.signal, endsAt: undefined });
  let failure: RunPipelineError | undefined;
  try {
    const prepared = options.prepared ?? (await prepareSteps(pipeline, options.provider, runDeadline.signal));
    const context: Record<string, string> = { ...options.inputs };
    for (const [index, preparedStep] of prepared.entries()) {
      currentStep = preparedStep.step.id;
      const stepRecord = steps[index] as StepRecord;
      const result = await runStep(preparedStep, index, context, stepRecord, { ...options, runId, tally, runDeadline });
      context[preparedStep.step.id] = result.threaded;
      record.output = result.final;
    }
  } catch (error) {
    failure = toRunError(error, runDeadline.signal);
    record.status = failure.code === 'E_INTERRUPTED' ? 'interrupted' : 'failed';
    record.error = { code: failure.code, message: failure.message };
    const failedStep = steps.find((step) => step.status !== 'succeeded' && step.status !== 'skipped');
    if (failedStep) record.error.step = failedStep.id;
  } finally {
    runDeadline.dispose();
  }
  const completed = new Date();
  record.completed_at = completed.toISOString();
  record.duration_ms = completed.getTime() - started.getTime();
  record.summary = tally.summary(record.duration_ms);
  if (options.writeRecord ?? true) {
    await writeFileAtomically(join(options.outDir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
  }
  return failure ? { record, error: failure } : { record };
}

type StepResult = { threaded: string; final: string };
type StepOptions = RunOptions & { runId: string; tally: RunTally; runDeadline: Deadline };

async function runStep(prepared: PreparedStep, index: number, context: Record<string, string>, stepRecord: StepRecord, options: StepOptions): Promise<StepResult> {
  const { step, schema, promptKey } = prepared;
  const logger = options.logger?.child({ step: step.id });
  const started = Date.now();
  const rendered: Record<string, unknown> = { [promptKey]: step.template.render(context), ...step.modelKwargs };
  const input = withServerStops(rendered, step.stop, schema);
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
  const deadline = createDeadline(step.timeout, {
    message: () => `step "${step.id}" ran past its timeout of ${formatLimit(step.timeout ?? 0)}`,
    hint: 'raise the step\'s timeout in the pipeline',
    ...(step.locations.step ? { location: step.locations.step } : {}),
  }, options.runDeadline);
  const text = producesText(schema.output);
  let live: LiveText | undefined;
  try {
    let result: FollowResult | undefined;
    const attempts = 1 + (step.retries ?? 0);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      stepRecord.attempts = attempt;
      live = text ? new LiveText(step.stop, (chunk) => options.onEvent?.({ type: 'step-output', step: step.id, chunk })) : undefined;
      const cancelAfterSeconds = deadline.remainingSeconds();
      result = await runPrediction(step, input, stepRecord, {
        provider: options.provider,
        tally: options.tally,
        stream: options.stream ?? true,
        onCreate: (prediction) => options.onEvent?.({ type: 'prediction-create', step: step.id, predictionId: prediction.id }),
        ...(deadline.signal ? { signal: deadline.signal } : {}),
        ...(cancelAfterSeconds === undefined ? {} : { cancelAfterSeconds }),
        ...(live ? { live } : {}),
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
        ...(logger ? { logger } : {}),
      }, adoptId);
      adoptId = undefined;
      const { prediction } = result;
      if (prediction.status === 'succeeded' || result.stoppedText !== undefined || attempt === attempts) break;
      logger?.warn({ event: 'step-retry', predictionId: prediction.id, attempt }, `prediction ${prediction.id} ${prediction.status}: ${prediction.error ?? ''}; retrying (${attempt}/${attempts - 1})`);
    }
    return await finishStep(prepared, result as FollowResult, stepRecord, live, { ...options, ...(deadline.signal ? { signal: deadline.signal } : {}) });
  } catch (error) {
    if (stepRecord.status === 'skipped' || stepRecord.status === 'succeeded') {
      stepRecord.status = options.signal?.aborted ? 'interrupted' : 'failed';
    }
    const runError = toRunError(error, deadline.signal);
    stepRecord.error = { code: runError.code, message: runError.message };
    throw runError;
  } finally {
    deadline.dispose();
    stepRecord.duration_ms = Date.now() - started;
    options.onEvent?.({ type: 'step-end', step: step.id, record: stepRecord });
    logger?.info(
      { event: 'step-end', predictionId: stepRecord.prediction_id, status: stepRecord.status, stopped: stepRecord.stopped ?? false, durationMs: stepRecord.duration_ms, queueMs: stepRecord.queue_ms, predictTime: stepRecord.metrics.predict_time, output: stepRecord.output },
      `step ${step.id} ${stepRecord.status} in ${(stepRecord.duration_ms / 1000).toFixed(1)} s`,
    );
  }
}

/** Turns a followed prediction into the step's output: text cut at its stop, or files saved. */
async function finishStep(prepared: PreparedStep, result: FollowResult, stepRecord: StepRecord, live: LiveText | undefined, options: StepOptions): Promise<StepResult> {
  const { step, schema } = prepared;
  const finished = result.prediction;
  let threaded: string;
  let final: string;
  if (result.stoppedText !== undefined) {
    // We canceled it at the stop: a success, whatever status the cancel left behind.
    threaded = result.stoppedText;
    final = threaded;
    stepRecord.stopped = true;
    live?.finish(threaded);
  } else {
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
    if (interpreted.kind === 'files') {
      const saved = await downloadFiles(interpreted.urls, options.outDir, step.id, { ...options.download, ...(options.signal ? { signal: options.signal } : {}) });
      stepRecord.files = saved.map((file) => ({ path: file.path, url: file.url, bytes: file.bytes, content_type: file.contentType }));
      threaded = interpreted.urls[0] as string;
      final = (saved[0] as { path: string }).path;
      options.logger?.info({ event: 'files-save', step: step.id, files: saved.map((file) => file.path) }, `saved ${saved.length} file(s)`);
    } else {
      const cut = interpreted.kind === 'text' ? cutAtStop(interpreted.text, step.stop) : { text: interpreted.text, stopped: false };
      threaded = cut.text;
      if (cut.stopped) stepRecord.stopped = true;
      if (interpreted.kind === 'json') stepRecord.raw_output = interpreted.value;
      live?.finish(threaded);
      final = threaded;
    }
  }
  stepRecord.output = threaded;
  stepRecord.status = 'succeeded';
  return { threaded, final };
}

/** True when every saved file is still on disk. */
async function allExist(files: readonly { path: string }[]): Promise<boolean> {
  const found = await Promise.all(files.map((file) => access(file.path).then(() => true, () => false)));
  return found.every(Boolean);
}
