/**
 * The state every route handler works on, and the shape of one routed request. Shared by the
 * server and the route modules so neither has to import the other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeModel } from './fake-model.js';
import type { FakePrediction } from './fake-prediction.js';

/** One request as the server saw it; `status` is filled in when the response starts (0 = dropped). */
export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  rawBody: string;
  status: number;
  /** Milliseconds since the server started, at arrival. */
  time: number;
};

/** What the routes share: the registry of models, the predictions, and the behaviour options. */
export type ServerState = {
  url: string;
  token: string;
  models: Map<string, FakeModel>;
  predictions: Map<string, FakePrediction>;
  maxSyncWaitMs: number;
  syncFinishedStatus: 'succeeded' | 'processing';
  /** Open SSE responses, so a test can cut them as a failing network would. */
  streams: Set<ServerResponse>;
};

/** Everything a handler needs about the request it answers; `params` are the route's capture groups. */
export type RouteContext = {
  state: ServerState;
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  params: string[];
  body: unknown;
  record: RecordedRequest;
};

/** A handler writes the response itself, so streaming and held (sync-wait) responses fit the same shape. */
export type RouteHandler = (context: RouteContext) => void | Promise<void>;

/** One entry of the route table; `authenticated: false` for the stream and file hosts, which take no token. */
export type Route = { method: string; pattern: RegExp; authenticated: boolean; handle: RouteHandler };
