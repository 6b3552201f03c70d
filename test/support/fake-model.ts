/**
 * The data a test declares to describe a fake model, and the model/version objects the API
 * serves for it. Kept apart from the server so model factories can import the types alone.
 */

/** A file a model produces; served by the fake server at a plain-http URL. */
export type FakeFile = { name: string; contentType: string; bytes: Uint8Array };

/** What a model produces for an input. */
export type FakeOutput =
  | { tokens: string[] }
  | { files: FakeFile[] }
  | { file: FakeFile }
  | { value: unknown }
  | { error: string };

/** One version of a fake model: its 64-hex id and the Cog `openapi_schema` Replicate would serve. */
export type FakeVersion = { id: string; openapiSchema: Record<string, unknown> };

/** A model the fake server can run; timings are real milliseconds so tests stay fast but honest. */
export type FakeModel = {
  owner: string;
  name: string;
  /** Runnable by name via POST /models/{o}/{n}/predictions; its predictions say version "hidden". */
  official?: boolean;
  /** The first entry is `latest_version`. */
  versions: FakeVersion[];
  run: (input: Record<string, unknown>) => FakeOutput;
  /** Time spent in `starting` (default 0). */
  startDelayMs?: number;
  /** Time between tokens (default 0); for non-token outputs the processing time unless processingMs is set. */
  tokenIntervalMs?: number;
  /** Processing time for non-token outputs (default 0). */
  processingMs?: number;
  /** Whether predictions get `urls.stream` (default: true for token outputs). */
  stream?: boolean;
};

/** A create request's target once resolved: the model, the version whose schema applies, and what `version` says. */
export type ResolvedVersion = { model: FakeModel; version: FakeVersion; publicVersion: string };

const VERSION_ID = /^[0-9a-f]{64}$/;
const MODEL_REFERENCE = /^(?<owner>[^/]+)\/(?<name>[^/:]+)(?::(?<version>.+))?$/;

/** The `owner/name` key models are registered under. */
export function modelKey(owner: string, name: string): string {
  return `${owner}/${name}`;
}

/**
 * Resolves the `version` field of POST /v1/predictions, which Replicate accepts as a bare version
 * id, `owner/name:id`, or (official models only) `owner/name`; null means "Invalid version".
 */
export function resolveVersionReference(
  models: ReadonlyMap<string, FakeModel>,
  reference: unknown,
): ResolvedVersion | null {
  if (typeof reference !== 'string') return null;
  if (VERSION_ID.test(reference)) {
    for (const model of models.values()) {
      const version = model.versions.find((candidate) => candidate.id === reference);
      if (version) return { model, version, publicVersion: version.id };
    }
    return null;
  }
  const match = MODEL_REFERENCE.exec(reference);
  const owner = match?.groups?.['owner'];
  const name = match?.groups?.['name'];
  if (owner === undefined || name === undefined) return null;
  const model = models.get(modelKey(owner, name));
  if (!model) return null;
  const versionId = match?.groups?.['version'];
  if (versionId === undefined) return resolveOfficial(model);
  const version = model.versions.find((candidate) => candidate.id === versionId);
  return version ? { model, version, publicVersion: version.id } : null;
}

/** Official models run by name on their latest schema and hide the version; community models cannot. */
export function resolveOfficial(model: FakeModel): ResolvedVersion | null {
  const latest = model.versions[0];
  if (!model.official || !latest) return null;
  return { model, version: latest, publicVersion: 'hidden' };
}

// A fixed date keeps model and version objects identical across runs (snapshot-friendly).
const VERSION_CREATED_AT = '2024-04-17T21:44:58.480057Z';

/** The version object of GET /v1/models/{o}/{n}/versions/{id} (spec `schemas_version_response`). */
export function versionObject(version: FakeVersion): Record<string, unknown> {
  return {
    id: version.id,
    created_at: VERSION_CREATED_AT,
    cog_version: '0.9.4',
    openapi_schema: version.openapiSchema,
  };
}

/** The model object of GET /v1/models/{o}/{n} (spec `schemas_model_response`), `url` pointing at this server. */
export function modelObject(model: FakeModel, serverUrl: string): Record<string, unknown> {
  const latest = model.versions[0];
  return {
    url: `${serverUrl}/${model.owner}/${model.name}`,
    owner: model.owner,
    name: model.name,
    description: `Fake ${model.owner}/${model.name} for tests`,
    visibility: 'public',
    is_official: model.official === true,
    github_url: null,
    paper_url: null,
    license_url: null,
    run_count: 0,
    cover_image_url: null,
    default_example: null,
    latest_version: latest ? versionObject(latest) : null,
  };
}
