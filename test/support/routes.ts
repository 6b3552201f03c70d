/**
 * The route table: the one place that maps a method and path to a handler. Add routes here; the
 * server applies recording, injected faults and authentication before any of them run.
 */
import { getModel, getVersion, listVersions } from './model-routes.js';
import {
  cancelPrediction,
  createModelPrediction,
  createPrediction,
  downloadFile,
  getPrediction,
  listPredictions,
  streamPredictionRoute,
} from './prediction-routes.js';
import type { Route } from './server-state.js';

const SEGMENT = '([^/]+)';

/** Every route the fake API answers; paths are matched against the whole pathname. */
export const ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/v1\/predictions$/, authenticated: true, handle: createPrediction },
  { method: 'GET', pattern: /^\/v1\/predictions$/, authenticated: true, handle: listPredictions },
  { method: 'GET', pattern: new RegExp(`^/v1/predictions/${SEGMENT}$`), authenticated: true, handle: getPrediction },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/predictions/${SEGMENT}/cancel$`),
    authenticated: true,
    handle: cancelPrediction,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/models/${SEGMENT}/${SEGMENT}/predictions$`),
    authenticated: true,
    handle: createModelPrediction,
  },
  { method: 'GET', pattern: new RegExp(`^/v1/models/${SEGMENT}/${SEGMENT}$`), authenticated: true, handle: getModel },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/models/${SEGMENT}/${SEGMENT}/versions$`),
    authenticated: true,
    handle: listVersions,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/models/${SEGMENT}/${SEGMENT}/versions/${SEGMENT}$`),
    authenticated: true,
    handle: getVersion,
  },
  { method: 'GET', pattern: new RegExp(`^/v1/stream/${SEGMENT}$`), authenticated: false, handle: streamPredictionRoute },
  { method: 'GET', pattern: new RegExp(`^/files/${SEGMENT}/${SEGMENT}$`), authenticated: false, handle: downloadFile },
];

/** The route for a request and its captured path segments, or null (the server answers 404). */
export function findRoute(method: string, pathname: string): { route: Route; params: string[] } | null {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(pathname);
    if (match) return { route, params: match.slice(1).map((segment) => segment ?? '') };
  }
  return null;
}
