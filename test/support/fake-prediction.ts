/**
 * One prediction's live state. Real timers move it through starting → processing → a terminal
 * status; every change goes through `advance`, the single place later extensions (token timing,
 * faults) should hook into.
 */
import { randomBytes } from 'node:crypto';
import type { FakeFile, FakeModel, FakeOutput } from './fake-model.js';

/** The statuses the API reports (spec `schemas_prediction_response.status`). */
export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

/** The prediction object as the API serves it. */
export type PredictionObject = {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  output: unknown;
  logs: string;
  error: string | null;
  status: PredictionStatus;
  data_removed: boolean;
  created_at: string;
  started_at?: string;
  completed_at?: string;
  deadline?: string;
  urls: { get: string; cancel: string; web: string; stream?: string };
  metrics?: { predict_time: number; total_time: number };
  source: 'api';
};

/** What a prediction needs at creation; `publicVersion` is the id or "hidden". */
export type FakePredictionInit = {
  model: FakeModel;
  publicVersion: string;
  input: Record<string, unknown>;
  serverUrl: string;
  cancelAfterMs?: number;
};

/** A state transition; all of them go through `FakePrediction.advance`. */
export type PredictionStep =
  | { kind: 'start' }
  | { kind: 'token'; index: number }
  | { kind: 'finish' }
  | { kind: 'cancel'; reason: 'request' | 'deadline' };

const TERMINAL: ReadonlySet<PredictionStatus> = new Set(['succeeded', 'failed', 'canceled', 'aborted']);
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** True for statuses a prediction never leaves. */
export function isTerminalStatus(status: PredictionStatus): boolean {
  return TERMINAL.has(status);
}

/** Calls the model's `run`; a throwing model becomes a failed prediction, as a crashing predictor does. */
function runModel(model: FakeModel, input: Record<string, unknown>): FakeOutput {
  try {
    return model.run(input);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A 26-character lowercase base32 id, the shape Replicate uses. */
export function createPredictionId(): string {
  return Array.from(randomBytes(26), (byte) => ID_ALPHABET[byte & 31]).join('');
}

/** The server-side state of one prediction, with the public object derived on demand. */
export class FakePrediction {
  readonly id = createPredictionId();
  readonly model: FakeModel;
  readonly version: string;
  readonly input: Record<string, unknown>;
  readonly createdAt = Date.now();
  readonly deadline: number | null;
  /** Output chunks in emission order: tokens, or file URLs once they exist. What SSE replays. */
  readonly chunks: string[] = [];
  /** Files this prediction produced, by name, for the download route. */
  readonly files = new Map<string, FakeFile>();
  readonly urls: PredictionObject['urls'];
  status: PredictionStatus = 'starting';
  startedAt: number | null = null;
  completedAt: number | null = null;
  output: unknown = null;
  logs = '';
  error: string | null = null;
  private readonly planned: FakeOutput;
  private readonly serverUrl: string;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<() => void>();
  private readonly disposeHooks = new Set<() => void>();

  constructor(init: FakePredictionInit) {
    this.model = init.model;
    this.version = init.publicVersion;
    this.input = init.input;
    this.serverUrl = init.serverUrl;
    // Run the model up front: whether the prediction gets `urls.stream` depends on its output kind.
    this.planned = runModel(init.model, init.input);
    this.deadline = init.cancelAfterMs === undefined ? null : this.createdAt + init.cancelAfterMs;
    const base = `${init.serverUrl}/v1/predictions/${this.id}`;
    this.urls = { get: base, cancel: `${base}/cancel`, web: `${init.serverUrl}/p/${this.id}` };
    if (init.model.stream ?? ('tokens' in this.planned)) this.urls.stream = `${init.serverUrl}/v1/stream/${this.id}`;
    if (init.cancelAfterMs !== undefined) {
      this.schedule(init.cancelAfterMs, { kind: 'cancel', reason: 'deadline' });
    }
    this.schedule(init.model.startDelayMs ?? 0, { kind: 'start' });
  }

  /** Whether the prediction has reached a status it never leaves. */
  get terminal(): boolean {
    return isTerminalStatus(this.status);
  }

  /** The object GET /v1/predictions/{id} returns right now. */
  get object(): PredictionObject {
    const object: PredictionObject = {
      id: this.id,
      model: `${this.model.owner}/${this.model.name}`,
      version: this.version,
      input: this.input,
      output: this.output,
      logs: this.logs,
      error: this.error,
      status: this.status,
      data_removed: false,
      created_at: new Date(this.createdAt).toISOString(),
      urls: { ...this.urls },
      source: 'api',
    };
    if (this.startedAt !== null) object.started_at = new Date(this.startedAt).toISOString();
    if (this.completedAt !== null) {
      object.completed_at = new Date(this.completedAt).toISOString();
      // Billing covers processing only, and stops at cancel, so predict_time ends at completedAt.
      const predictSeconds = this.startedAt === null ? 0 : (this.completedAt - this.startedAt) / 1000;
      object.metrics = { predict_time: predictSeconds, total_time: (this.completedAt - this.createdAt) / 1000 };
    }
    if (this.deadline !== null) object.deadline = new Date(this.deadline).toISOString();
    return object;
  }

  /** How many listeners follow this prediction (open streams, held waits); lets tests see that readers let go. */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Calls `listener` after every state change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels as POST /cancel does; a terminal prediction stays as it is. */
  cancel(): void {
    this.advance({ kind: 'cancel', reason: 'request' });
  }

  /** Resolves true once terminal, or false when `timeoutMs` passes first (or the server closes). */
  whenSettled(timeoutMs: number): Promise<boolean> {
    if (this.terminal) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (settled: boolean): void => {
        clearTimeout(timer);
        unsubscribe();
        removeHook();
        resolve(settled);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      timer.unref();
      const unsubscribe = this.subscribe(() => {
        if (this.terminal) finish(true);
      });
      const removeHook = this.onDispose(() => finish(false));
    });
  }

  /** Runs `hook` when the server disposes this prediction (reset/close), so held responses end. */
  onDispose(hook: () => void): () => void {
    this.disposeHooks.add(hook);
    return () => this.disposeHooks.delete(hook);
  }

  /** Stops every timer and releases waiters; the server calls this on reset and close. */
  dispose(): void {
    this.clearTimers();
    for (const hook of [...this.disposeHooks]) hook();
    this.disposeHooks.clear();
  }

  /** The single place where state changes; timers and requests both come through here. */
  advance(step: PredictionStep): void {
    if (this.terminal) return;
    const now = Date.now();
    switch (step.kind) {
      case 'start':
        this.beginProcessing(now);
        break;
      case 'token':
        this.emitToken(step.index, now);
        break;
      case 'finish':
        this.complete(now);
        break;
      case 'cancel':
        this.clearTimers();
        // The spec: a deadline reached before the model started is `aborted`, not `canceled`.
        this.status = step.reason === 'deadline' && this.status === 'starting' ? 'aborted' : 'canceled';
        this.completedAt = now;
        break;
    }
    this.notify();
  }

  private beginProcessing(now: number): void {
    this.status = 'processing';
    this.startedAt = now;
    this.logs += 'Prediction started\n';
    const interval = this.model.tokenIntervalMs ?? 0;
    if ('tokens' in this.planned) {
      if (this.planned.tokens.length === 0) this.schedule(interval, { kind: 'finish' });
      else this.schedule(interval, { kind: 'token', index: 0 });
      return;
    }
    this.schedule(this.model.processingMs ?? interval, { kind: 'finish' });
  }

  private emitToken(index: number, now: number): void {
    const tokens = 'tokens' in this.planned ? this.planned.tokens : [];
    const token = tokens[index];
    if (token === undefined) return;
    this.chunks.push(token);
    this.output = [...this.chunks];
    this.logs += `generated token ${index + 1}/${tokens.length}\n`;
    if (index + 1 < tokens.length) this.schedule(this.model.tokenIntervalMs ?? 0, { kind: 'token', index: index + 1 });
    else this.complete(now);
  }

  private complete(now: number): void {
    const planned = this.planned;
    this.completedAt = now;
    this.status = 'succeeded';
    if ('error' in planned) {
      this.status = 'failed';
      this.error = planned.error;
      this.logs += `Error: ${planned.error}\n`;
      return;
    }
    if ('tokens' in planned) this.output = [...this.chunks];
    else if ('value' in planned) this.output = planned.value;
    else if ('file' in planned) this.output = this.publishFile(planned.file);
    else this.output = planned.files.map((file) => this.publishFile(file));
    this.logs += 'Prediction succeeded\n';
  }

  private publishFile(file: FakeFile): string {
    this.files.set(file.name, file);
    const url = `${this.serverUrl}/files/${this.id}/${encodeURIComponent(file.name)}`;
    this.chunks.push(url);
    return url;
  }

  private schedule(delayMs: number, step: PredictionStep): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.advance(step);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
