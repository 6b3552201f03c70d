/** Handlers for models and versions, which clients read to learn a model's input schema. */
import { modelKey, modelObject, versionObject } from './fake-model.js';
import type { FakeModel } from './fake-model.js';
import { ERROR_BODIES, sendJson } from './http-helpers.js';
import type { RouteContext } from './server-state.js';

function findModel(context: RouteContext): FakeModel | undefined {
  const [owner = '', name = ''] = context.params;
  return context.state.models.get(modelKey(owner, name));
}

/** GET /v1/models/{owner}/{name}: the model with `latest_version` and its `openapi_schema`. */
export function getModel(context: RouteContext): void {
  const model = findModel(context);
  if (!model) return sendJson(context.response, 404, ERROR_BODIES.notFound);
  sendJson(context.response, 200, modelObject(model, context.state.url));
}

/** GET /v1/models/{owner}/{name}/versions: official models have no version list, so 404. */
export function listVersions(context: RouteContext): void {
  const model = findModel(context);
  if (!model || model.official) return sendJson(context.response, 404, ERROR_BODIES.notFound);
  sendJson(context.response, 200, { next: null, previous: null, results: model.versions.map(versionObject) });
}

/** GET /v1/models/{owner}/{name}/versions/{id}. */
export function getVersion(context: RouteContext): void {
  const version = findModel(context)?.versions.find((candidate) => candidate.id === context.params[2]);
  if (!version) return sendJson(context.response, 404, ERROR_BODIES.notFound);
  sendJson(context.response, 200, versionObject(version));
}
