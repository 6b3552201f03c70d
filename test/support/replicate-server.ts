/**
 * A local fake of the Replicate HTTP API for tests: a `node:http` server on 127.0.0.1 that the real
 * `replicate` client talks to through `baseUrl`. It records every request, drives predictions with
 * real (millisecond) timers, and lets a test inject canned responses or dropped connections.
 */
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { modelKey } from './fake-model.js';
import { createFaults, type FaultCounts, type FaultOptions } from './faults.js';
import type { FakeModel } from './fake-model.js';
import type { FakePrediction } from './fake-prediction.js';
import { ERROR_BODIES, headerValue, parseBody, readBody, sendJson } from './http-helpers.js';
import { findRoute } from './routes.js';
import type { RecordedRequest, ServerState } from './server-state.js';

export type { FakeFile, FakeModel, FakeOutput, FakeVersion } from './fake-model.js';
export type { FakePrediction, PredictionObject, PredictionStatus } from './fake-prediction.js';
export type { RecordedRequest } from './server-state.js';
export type { FaultCounts, FaultOptions } from './faults.js';

/** Options for `startReplicateServer`. */
export type FakeReplicateOptions = {
  models?: FakeModel[];
  /** Required bearer token; default "r8_test_token". */
  token?: string;
  /** Cap on how long `Prefer: wait[=n]` holds a create, so tests stay fast (default 1000). */
  maxSyncWaitMs?: number;
  /** Status a finished sync wait reports for a success; the real API sometimes says "processing" (default). */
  syncFinishedStatus?: 'succeeded' | 'processing';
  /** Seeded random faults and a create rate limit on prediction creates and polls (see faults.ts). */
  faults?: FaultOptions;
};

/** A canned response for the next `times` requests that match `method` and `path`. */
export type InjectRule = {
  method?: string;
  /** The recorded path (`/v1/predictions`); a string may also omit the `/v1` prefix. */
  path?: string | RegExp;
  /** How many matching requests get this response (default 1; Infinity for all). */
  times?: number;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the socket without answering, as a network failure would. */
  dropConnection?: boolean;
};

/** A running fake server and the handles a test inspects it through. */
export type ReplicateServer = {
  /** `http://127.0.0.1:PORT`, without `/v1`. */
  url: string;
  /** `url + "/v1"`, for `new Replicate({ baseUrl })`. */
  baseUrl: string;
  token: string;
  /** Every request in arrival order: API calls, streams and file downloads. */
  requests: RecordedRequest[];
  predictions: Map<string, FakePrediction>;
  running(): FakePrediction[];
  creates(): RecordedRequest[];
  /** The cancel requests (POST /v1/predictions/{id}/cancel), in order. */
  cancels(): RecordedRequest[];
  addModel(model: FakeModel): void;
  inject(rule: InjectRule): void;
  /** Cuts every open SSE stream mid-way (the socket is destroyed); the predictions run on. */
  dropStreams(): void;
  /** What the fault plan injected so far (all zero without `faults`). */
  faultCounts: FaultCounts;
  reset(): void;
  close(): Promise<void>;
};

const CREATE_PATH = /^\/v1\/(?:predictions|models\/[^/]+\/[^/]+\/predictions)$/;
const POLL_PATH = /^\/v1\/predictions\/[^/]+$/;

/** A response that drops the connection when the handler answers: the work is done, the answer lost. */
function droppingResponse(request: IncomingMessage): ServerResponse {
  const drop = {
    destroyed: false,
    headersSent: false,
    writeHead: () => {
      request.socket.destroy();
      return drop;
    },
    end: () => drop,
  };
  return drop as unknown as ServerResponse;
}

function pathMatches(rulePath: InjectRule['path'], pathname: string): boolean {
  if (rulePath === undefined) return true;
  if (rulePath instanceof RegExp) return rulePath.test(pathname);
  return rulePath === pathname || `/v1${rulePath}` === pathname;
}

/** The body an injected response gets when the rule gives none; 429 mirrors Replicate's throttle text. */
function defaultInjectedBody(rule: InjectRule): unknown {
  if (rule.status === 429) {
    const seconds = Number(rule.headers?.['Retry-After'] ?? rule.headers?.['retry-after'] ?? 1) || 1;
    return { detail: `Request was throttled. Your rate limit resets in ~${seconds}s.` };
  }
  return { detail: STATUS_CODES[rule.status] ?? 'Error', status: rule.status };
}

function isAuthorized(request: IncomingMessage, token: string, response: ServerResponse): boolean {
  const header = headerValue(request, 'authorization');
  if (header === undefined) {
    sendJson(response, 401, ERROR_BODIES.unauthenticated);
    return false;
  }
  // Replicate still accepts the legacy `Token` scheme (replicate-go sends it).
  const match = /^(?:Bearer|Token)\s+(\S+)$/i.exec(header.trim());
  if (match?.[1] !== token) {
    sendJson(response, 401, ERROR_BODIES.invalidToken);
    return false;
  }
  return true;
}

/** Starts the fake on an ephemeral loopback port. */
export async function startReplicateServer(options: FakeReplicateOptions = {}): Promise<ReplicateServer> {
  const startedAt = performance.now();
  const requests: RecordedRequest[] = [];
  const rules: InjectRule[] = [];
  const faults = createFaults(options.faults ?? {});
  const state: ServerState = {
    url: '',
    token: options.token ?? 'r8_test_token',
    models: new Map((options.models ?? []).map((model) => [modelKey(model.owner, model.name), faults.wrapModel(model)])),
    predictions: new Map(),
    maxSyncWaitMs: options.maxSyncWaitMs ?? 1000,
    syncFinishedStatus: options.syncFinishedStatus ?? 'processing',
    streams: new Set(),
  };

  /** Records the request, then answers it: injected rules first, then authentication, then the route table. */
  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', state.url);
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...request.headers },
      body: undefined,
      rawBody: '',
      status: 0,
      time: performance.now() - startedAt,
    };
    requests.push(record);
    record.rawBody = await readBody(request);
    record.body = parseBody(record.rawBody);
    await dispatch(request, response, url, record);
    // Set before the client can see the response: it only reads it on a later I/O turn.
    if (response.headersSent) record.status = response.statusCode;
  }

  async function dispatch(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    record: RecordedRequest,
  ): Promise<void> {
    const ruleIndex = rules.findIndex(
      (rule) => (rule.method ?? record.method).toUpperCase() === record.method && pathMatches(rule.path, record.path),
    );
    const rule = rules[ruleIndex];
    if (rule) {
      rule.times = (rule.times ?? 1) - 1;
      if (rule.times <= 0) rules.splice(ruleIndex, 1);
      if (rule.dropConnection) return void request.socket.destroy();
      return sendJson(response, rule.status, rule.body ?? defaultInjectedBody(rule), rule.headers);
    }

    const found = findRoute(record.method, record.path);
    if (!found) return sendJson(response, 404, ERROR_BODIES.notFound);
    if (found.route.authenticated && !isAuthorized(request, state.token, response)) return;
    if (found.route.authenticated && typeof record.body === 'string') {
      return sendJson(response, 400, ERROR_BODIES.invalidJson);
    }
    const isCreate = record.method === 'POST' && CREATE_PATH.test(record.path);
    const fault = isCreate || (record.method === 'GET' && POLL_PATH.test(record.path)) ? faults.decide(isCreate, performance.now()) : undefined;
    if (fault?.kind === 'respond') return sendJson(response, fault.status, fault.body, fault.headers);
    if (fault?.kind === 'drop') return void request.socket.destroy();
    if (isCreate) faults.accepted(performance.now());
    const answer = fault?.kind === 'create-then-drop' ? droppingResponse(request) : response;
    await found.route.handle({ state, request, response: answer, url, params: found.params, body: record.body, record });
  }

  const server = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      // A bug in the fake must surface in the test output, not hang the client.
      sendJson(response, 500, { detail: `fake server error: ${String(error)}`, status: 500 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;

  const disposeAll = (): void => {
    for (const prediction of state.predictions.values()) prediction.dispose();
  };

  return {
    url: state.url,
    baseUrl: `${state.url}/v1`,
    token: state.token,
    requests,
    predictions: state.predictions,
    running: () => [...state.predictions.values()].filter((prediction) => !prediction.terminal),
    creates: () => requests.filter((record) => record.method === 'POST' && CREATE_PATH.test(record.path)),
    cancels: () => requests.filter((record) => record.method === 'POST' && /^\/v1\/predictions\/[^/]+\/cancel$/.test(record.path)),
    addModel: (model) => void state.models.set(modelKey(model.owner, model.name), faults.wrapModel(model)),
    faultCounts: faults.counts,
    inject: (rule) => void rules.push({ ...rule }),
    dropStreams: () => {
      for (const stream of state.streams) stream.destroy();
      state.streams.clear();
    },
    reset: () => {
      disposeAll();
      state.predictions.clear();
      requests.length = 0;
      rules.length = 0;
    },
    close: async () => {
      disposeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
