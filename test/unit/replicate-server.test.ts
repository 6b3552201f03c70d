/**
 * The fake Replicate server, driven by the real `replicate` client: routes, lifecycle, sync waits,
 * cancel and billing, errors and faults, SSE, file downloads, and conformance of every object to
 * Replicate's published OpenAPI document. Also proves the network guard holds.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Prediction } from 'replicate';
import { tokenize } from '../support/cog-schema.js';
import { parseCancelAfter } from '../support/http-helpers.js';
import {
  DOLLY_VERSION,
  STABLE_DIFFUSION_VERSION,
  dollyModel,
  echoModel,
  llama3Model,
  seedModels,
  stableDiffusionModel,
} from '../support/models.js';
import { isLoopbackHost } from '../support/no-network.mjs';
import { createSpecValidator } from '../support/openapi-conformance.js';
import { isValidPng, makePng } from '../support/png.js';
import { apiErrorBody, createTestClient, waitUntil } from '../support/replicate-client.js';
import { startReplicateServer } from '../support/replicate-server.js';
import type { FakeReplicateOptions, ReplicateServer } from '../support/replicate-server.js';

const DOLLY = `replicate/dolly-v2-12b:${DOLLY_VERSION}` as const;
const STABLE_DIFFUSION = `stability-ai/stable-diffusion:${STABLE_DIFFUSION_VERSION}` as const;
const LLAMA = 'meta/meta-llama-3-8b-instruct' as const;
const NOT_FOUND = { detail: 'The requested resource could not be found.', status: 404 };

const conforms = createSpecValidator();

function assertConforms(schemaName: Parameters<typeof conforms>[0], value: unknown): void {
  assert.deepEqual(conforms(schemaName, value), [], `${schemaName}: ${JSON.stringify(value)}`);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

/** Starts a server that is closed when test `context` ends. */
async function serverFor(context: TestContext, options: FakeReplicateOptions): Promise<ReplicateServer> {
  const server = await startReplicateServer(options);
  context.after(() => server.close());
  return server;
}

describe('predictions through the replicate client', () => {
  let server: ReplicateServer;
  before(async () => {
    server = await startReplicateServer({
      models: [
        dollyModel({ startDelayMs: 15, tokenIntervalMs: 10 }),
        stableDiffusionModel({ processingMs: 10 }),
        llama3Model({ tokenIntervalMs: 2 }),
      ],
      maxSyncWaitMs: 500,
    });
  });
  after(() => server.close());

  it('creates by version, moves starting → processing → succeeded, and each stage conforms to the spec', async () => {
    const client = createTestClient(server);
    const created = await client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'colorful socks' } });
    assert.equal(created.status, 'starting');
    assert.equal(created.version, DOLLY_VERSION);
    assert.equal(created.model, 'replicate/dolly-v2-12b');
    assert.match(created.id, /^[a-z2-7]{26}$/);
    assert.equal(created.urls.get, `${server.baseUrl}/predictions/${created.id}`);
    assert.equal(created.urls.stream, `${server.baseUrl}/stream/${created.id}`);
    assertConforms('schemas_prediction_response', created);

    const processing = await waitUntil(async () => {
      const current = await client.predictions.get(created.id);
      return current.status === 'processing' && Array.isArray(current.output) ? current : undefined;
    });
    assert.ok(processing.started_at);
    assert.equal(processing.metrics, undefined, 'metrics only once terminal');
    assertConforms('schemas_prediction_response', processing);

    const done = await client.wait(processing, { interval: 5 });
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.output, ['Name', ' for:', ' colorful', ' socks']);
    assert.match(done.logs ?? '', /Prediction started/);
    assert.ok((done.metrics?.predict_time ?? 0) >= 0.03, 'four 10 ms tokens');
    assert.ok((done.metrics?.total_time ?? 0) >= (done.metrics?.predict_time ?? 0) + 0.01, 'total includes the queue');
    assertConforms('schemas_prediction_response', done);

    const [create] = server.creates().slice(-1);
    assert.deepEqual(create?.body, { input: { prompt: 'colorful socks' }, version: DOLLY_VERSION });
    assert.equal(create?.status, 201);
    assert.equal(create?.headers['authorization'], `Bearer ${server.token}`);
  });

  it('accepts owner/name:version and the legacy Token scheme', async () => {
    const response = await fetch(`${server.baseUrl}/predictions`, {
      method: 'POST',
      headers: { Authorization: `Token ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ version: DOLLY, input: { prompt: 'x' } }),
    });
    assert.equal(response.status, 201);
    assert.equal(((await response.json()) as Prediction).version, DOLLY_VERSION);
  });

  it('runs an official model by name with Prefer: wait; version is hidden, finished status is "processing"', async () => {
    const client = createTestClient(server);
    const output = await client.run(LLAMA, { input: { prompt: 'hello there' } });
    assert.deepEqual(output, ['You', ' said:', ' hello', ' there']);
    const [create] = server.creates().slice(-1);
    assert.equal(create?.path, '/v1/models/meta/meta-llama-3-8b-instruct/predictions');
    assert.equal(create?.headers['prefer'], 'wait');
    assert.equal(create?.status, 201);
    const prediction = [...server.predictions.values()].at(-1);
    assert.equal(prediction?.object.version, 'hidden');
    assert.equal(prediction?.object.status, 'succeeded');
    assertConforms('schemas_prediction_response', prediction?.object);
  });

  it('runs an official model through POST /v1/predictions with version owner/name', async () => {
    const client = createTestClient(server);
    const created = await client.predictions.create({ version: LLAMA, input: { prompt: 'x' } });
    assert.equal(created.version, 'hidden');
  });

  it('answers 404 when a community model is run by name', async () => {
    const client = createTestClient(server);
    const error = await rejection(client.predictions.create({ model: 'replicate/dolly-v2-12b', input: { prompt: 'x' } }));
    assert.deepEqual(apiErrorBody(error), { status: 404, body: NOT_FOUND });
  });

  it('answers 422 for an unknown version', async () => {
    const client = createTestClient(server);
    const error = await rejection(client.predictions.create({ version: 'f'.repeat(64), input: { prompt: 'x' } }));
    assert.deepEqual(apiErrorBody(error), {
      status: 422,
      body: {
        title: 'Invalid version or not permitted',
        detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
        status: 422,
      },
    });
  });

  it('answers 422 "Input validation failed" for null, wrong types, bad enums, ranges and missing required inputs', async () => {
    const client = createTestClient(server);
    const nullError = await rejection(
      client.predictions.create({ version: STABLE_DIFFUSION_VERSION, input: { prompt: 'x', seed: null } }),
    );
    assert.deepEqual(apiErrorBody(nullError).body, {
      title: 'Input validation failed',
      status: 422,
      detail: '- input.seed: Invalid type. Expected: integer, given: null\n',
      invalid_fields: [
        { type: 'invalid_type', field: 'input.seed', description: 'Invalid type. Expected: integer, given: null' },
      ],
    });

    const many = await rejection(
      client.predictions.create({
        version: STABLE_DIFFUSION_VERSION,
        input: { image_dimensions: '1024x1024', num_outputs: 9, guidance_scale: '7', scheduler: 'DDIM' },
      }),
    );
    const body = apiErrorBody(many).body as { invalid_fields: { type: string; field: string }[]; detail: string };
    assert.deepEqual(
      body.invalid_fields.map((field) => `${field.type} ${field.field}`),
      ['enum input.image_dimensions', 'number_lte input.num_outputs', 'invalid_type input.guidance_scale'],
    );
    assert.match(body.detail, /image_dimensions must be one of the following: "512x512", "768x768"/);

    const missing = await rejection(client.predictions.create({ version: DOLLY_VERSION, input: {} }));
    assert.deepEqual((apiErrorBody(missing).body as { invalid_fields: unknown[] }).invalid_fields, [
      { type: 'required', field: 'input', description: 'prompt is required' },
    ]);
  });

  it('answers 401 with Replicate\'s bodies for a missing or wrong token', async () => {
    const anonymous = await fetch(`${server.baseUrl}/predictions/abc`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), {
      title: 'Unauthenticated',
      detail: 'You did not pass an authentication token',
      status: 401,
    });
    const error = await rejection(createTestClient(server, 'r8_wrong').models.get('meta', 'meta-llama-3-8b-instruct'));
    assert.deepEqual(apiErrorBody(error), {
      status: 401,
      body: { title: 'Unauthenticated', detail: 'Invalid or expired API token.', status: 401 },
    });
  });

  it('lists predictions newest first in a page that conforms to the spec', async () => {
    const client = createTestClient(server);
    const page = await client.predictions.list();
    assert.ok(page.results.length >= 2);
    assert.equal(page.results[0]?.id, [...server.predictions.keys()].at(-1));
    assert.equal(page.next, null);
    assertConforms('schemas_paginated_prediction_response', page);
  });

  it('fails a prediction whose model errors; run() rejects and the failed object conforms', async (t) => {
    const broken = echoModel(
      { owner: 'acme', name: 'broken', version: 'a'.repeat(64) },
      { run: () => ({ error: 'CUDA out of memory' }), processingMs: 5 },
    );
    const failing = await serverFor(t, { models: [broken] });
    const client = createTestClient(failing);
    const error = await rejection(client.run(`acme/broken:${'a'.repeat(64)}`, { input: { prompt: 'x' } }));
    assert.equal((error as Error).message, 'Prediction failed: CUDA out of memory');
    const [prediction] = failing.predictions.values();
    assert.equal(prediction?.object.status, 'failed');
    assert.equal(prediction?.object.error, 'CUDA out of memory');
    assert.equal(failing.creates()[0]?.status, 201);
    assertConforms('schemas_prediction_response', prediction?.object);
  });

  it('can report a finished sync wait as "succeeded"', async (t) => {
    const strict = await serverFor(t, { models: [llama3Model()], syncFinishedStatus: 'succeeded' });
    const created = await createTestClient(strict).predictions.create({ model: LLAMA, input: { prompt: 'x' }, wait: 5 });
    assert.equal(created.status, 'succeeded');
    assert.equal(strict.creates()[0]?.headers['prefer'], 'wait=5');
  });
});

describe('Prefer: wait that times out', () => {
  it('answers 202 with status "starting" even while processing, and polling reaches the end', async (t) => {
    const server = await serverFor(t, { models: [dollyModel({ startDelayMs: 5, tokenIntervalMs: 40 })], maxSyncWaitMs: 30 });
    const client = createTestClient(server);
    const created = await client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'slow one' }, wait: 60 });
    assert.equal(created.status, 'starting');
    assert.equal(server.creates()[0]?.status, 202);
    assert.equal(server.predictions.get(created.id)?.status, 'processing', 'really processing behind the quirk');
    assertConforms('schemas_prediction_response', created);
    const done = await client.wait(created, { interval: 5 });
    assert.equal(done.status, 'succeeded');
    assert.equal((done.output as string[]).join(''), 'Name for: slow one');
    assert.ok(server.requests.some((record) => record.method === 'GET' && record.path === `/v1/predictions/${created.id}`));
  });
});

describe('cancel', () => {
  it('stops generation at once and billing stops at the cancel', async (t) => {
    const tokens = Array.from({ length: 40 }, (_, index) => ` t${index}`);
    const server = await serverFor(t, { models: [dollyModel({ tokens, tokenIntervalMs: 10 })] });
    const client = createTestClient(server);
    const created = await client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'x' } });
    await waitUntil(() => ((server.predictions.get(created.id)?.chunks.length ?? 0) >= 3 ? true : undefined));
    assert.deepEqual(server.running().map((prediction) => prediction.id), [created.id]);

    const canceled = await client.predictions.cancel(created.id);
    assert.equal(canceled.status, 'canceled');
    assertConforms('schemas_prediction_response', canceled);
    const produced = (canceled.output as string[]).length;
    assert.ok(produced >= 3 && produced < tokens.length);
    const predictTime = canceled.metrics?.predict_time ?? Infinity;
    assert.ok(predictTime < 0.4 * 0.75, `billed ${predictTime}s of a 0.4s prediction`);
    assert.deepEqual(server.running(), []);

    await new Promise((resolve) => setTimeout(resolve, 40));
    const later = await client.predictions.get(created.id);
    assert.equal((later.output as string[]).length, produced, 'no tokens after cancel');
    const again = await client.predictions.cancel(created.id);
    assert.deepEqual(again, later, 'canceling a terminal prediction changes nothing');
  });

  it('applies Cancel-After: canceled while processing, aborted while still starting', async (t) => {
    const server = await serverFor(t, {
      models: [
        dollyModel({ tokenIntervalMs: 10, tokens: Array.from({ length: 50 }, () => ' x') }),
        llama3Model({ startDelayMs: 1000 }),
      ],
    });
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${server.baseUrl}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', 'Cancel-After': '40ms' },
        body: JSON.stringify(body),
      });
    const running = (await (await post('/predictions', { version: DOLLY_VERSION, input: { prompt: 'x' } })).json()) as Prediction;
    const queuedResponse = await post(`/models/${LLAMA}/predictions`, { input: { prompt: 'x' } });
    const queued = (await queuedResponse.json()) as Prediction & { deadline?: string };
    assert.equal(server.creates()[0]?.headers['cancel-after'], '40ms');
    assert.ok(queued.deadline);
    const client = createTestClient(server);
    const [first, second] = await Promise.all([client.wait(running, { interval: 5 }), waitUntil(async () => {
      const current = await client.predictions.get(queued.id);
      return current.status === 'aborted' ? current : undefined;
    })]);
    assert.equal(first.status, 'canceled');
    assert.ok((first.metrics?.predict_time ?? 1) < 0.1);
    assert.equal(second.started_at, undefined);
    assertConforms('schemas_prediction_response', first);
    assertConforms('schemas_prediction_response', second);
  });

  it('parses Cancel-After durations', () => {
    assert.equal(parseCancelAfter('30s'), 30_000);
    assert.equal(parseCancelAfter('5m'), 300_000);
    assert.equal(parseCancelAfter('1h30m45s'), 5_445_000);
    assert.equal(parseCancelAfter('90'), 90_000);
    assert.equal(parseCancelAfter('250ms'), 250);
    assert.equal(parseCancelAfter('soon'), null);
    assert.equal(parseCancelAfter(undefined), null);
  });
});

describe('faults', () => {
  it('records the client\'s six instant attempts on an injected 429 and lets a later attempt through', async (t) => {
    const server = await serverFor(t, { models: [dollyModel()] });
    const client = createTestClient(server);
    server.inject({ method: 'POST', path: '/predictions', times: Infinity, status: 429, headers: { 'Retry-After': '7' } });
    const error = await rejection(client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'x' } }));
    assert.deepEqual(apiErrorBody(error), {
      status: 429,
      body: { detail: 'Request was throttled. Your rate limit resets in ~7s.' },
    });
    assert.deepEqual(server.creates().map((record) => record.status), [429, 429, 429, 429, 429, 429]);
    const direct = await fetch(`${server.baseUrl}/predictions`, { method: 'POST', body: '{}' });
    assert.equal(direct.headers.get('retry-after'), '7');

    server.reset();
    server.inject({
      path: /^\/v1\/predictions$/,
      times: 2,
      status: 429,
      body: { detail: 'Request was throttled. Expected available in 1 second.' },
    });
    const created = await client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'x' } });
    assert.equal(created.status, 'starting');
    assert.deepEqual(server.creates().map((record) => record.status), [429, 429, 201]);
  });

  it('drops connections without a response; the client sees a network error', async (t) => {
    const server = await serverFor(t, { models: [dollyModel()] });
    server.inject({ method: 'POST', path: '/v1/predictions', times: Infinity, dropConnection: true, status: 0 });
    const error = await rejection(createTestClient(server).predictions.create({ version: DOLLY_VERSION, input: { prompt: 'x' } }));
    assert.equal((error as Error).name, 'TypeError');
    assert.equal((error as Error).message, 'fetch failed');
    assert.deepEqual(server.creates().map((record) => record.status), [0, 0, 0, 0, 0, 0]);
  });

  it('answers 404 for unknown routes and predictions', async (t) => {
    const server = await serverFor(t, {});
    const unknown = await fetch(`${server.url}/v2/nothing`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), NOT_FOUND);
    const error = await rejection(createTestClient(server).predictions.get('nosuchprediction'));
    assert.deepEqual(apiErrorBody(error), { status: 404, body: NOT_FOUND });
  });
});

describe('SSE stream', () => {
  it('replays then follows tokens in order, keeping leading spaces and multi-line tokens', async (t) => {
    const tokens = [' Hello', ',', ' wide\nworld', '  two spaces'];
    const server = await serverFor(t, { models: [llama3Model({ tokens, startDelayMs: 5, tokenIntervalMs: 10 })] });
    const events = [];
    for await (const event of createTestClient(server).stream(LLAMA, { input: { prompt: 'x' } })) {
      events.push({ event: event.event, data: event.data, id: event.id });
    }
    assert.deepEqual(events, [
      { event: 'output', data: ' Hello', id: '0' },
      { event: 'output', data: ',', id: '1' },
      { event: 'output', data: ' wide\nworld', id: '2' },
      { event: 'output', data: '  two spaces', id: '3' },
      { event: 'done', data: '{}', id: '4' },
    ]);
    const stream = server.requests.find((record) => record.path.startsWith('/v1/stream/'));
    assert.equal(stream?.status, 200);
    assert.equal(stream?.headers['authorization'], undefined, 'the client streams without a token');
    assert.equal(stream?.headers['accept'], 'text/event-stream');

    const [prediction] = server.predictions.values();
    const replay = await fetch(prediction?.urls.stream ?? '', { headers: { Accept: 'text/event-stream' } });
    assert.equal(replay.headers.get('content-type'), 'text/event-stream');
    assert.equal(replay.headers.get('cache-control'), 'no-store');
    assert.equal(
      await replay.text(),
      'event: output\nid: 0\ndata:  Hello\n\n' +
        'event: output\nid: 1\ndata: ,\n\n' +
        'event: output\nid: 2\ndata:  wide\ndata: world\n\n' +
        'event: output\nid: 3\ndata:   two spaces\n\n' +
        'event: done\nid: 4\ndata: {}\n\n',
    );
  });

  it('ends with done {"reason":"canceled"} on cancel and error + done {"reason":"error"} on failure', async (t) => {
    const server = await serverFor(t, {
      models: [
        dollyModel({ tokens: [' a', ' b', ' c', ' d', ' e', ' f'], tokenIntervalMs: 15 }),
        echoModel(
          { owner: 'acme', name: 'broken', version: 'b'.repeat(64) },
          { run: () => ({ error: 'boom' }), stream: true, processingMs: 5 },
        ),
      ],
    });
    const client = createTestClient(server);
    const created = await client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'x' } });
    const reading = fetch(created.urls.stream ?? '').then((response) => response.text());
    await waitUntil(() => ((server.predictions.get(created.id)?.chunks.length ?? 0) >= 2 ? true : undefined));
    await client.predictions.cancel(created.id);
    const canceledText = await reading;
    assert.match(canceledText, /^event: output\nid: 0\ndata:  a\n\n/);
    assert.match(canceledText, /event: done\nid: \d+\ndata: {"reason":"canceled"}\n\n$/);

    const failed = await client.predictions.create({ version: 'b'.repeat(64), input: { prompt: 'x' } });
    const failedText = await (await fetch(failed.urls.stream ?? '')).text();
    assert.equal(failedText, 'event: error\nid: 0\ndata: {"detail":"boom"}\n\nevent: done\nid: 1\ndata: {"reason":"error"}\n\n');
    const thrown = await rejection((async () => {
      for await (const event of client.stream(`acme/broken:${'b'.repeat(64)}`, { input: { prompt: 'x' } })) void event;
    })());
    assert.equal((thrown as Error).message, '{"detail":"boom"}');
  });

  it('stops writing when the reader disconnects and resumes after Last-Event-ID', async (t) => {
    const server = await serverFor(t, { models: [dollyModel({ tokens: [' a', ' b', ' c'], tokenIntervalMs: 20 })] });
    const client = createTestClient(server);
    const created = await client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'x' } });
    const controller = new AbortController();
    const response = await fetch(created.urls.stream ?? '', { signal: controller.signal });
    assert.equal(server.predictions.get(created.id)?.subscriberCount, 1);
    controller.abort();
    await rejection(response.text());
    await waitUntil(() => (server.predictions.get(created.id)?.subscriberCount === 0 ? true : undefined));
    const done = await client.wait(created, { interval: 5 });
    assert.equal(done.status, 'succeeded');
    const resumed = await (await fetch(created.urls.stream ?? '', { headers: { 'Last-Event-ID': '1' } })).text();
    assert.equal(resumed, 'event: output\nid: 2\ndata:  c\n\nevent: done\nid: 3\ndata: {}\n\n');
  });
});

describe('files', () => {
  it('serves num_outputs valid PNGs without auth, with type and length, and records the downloads', async (t) => {
    const server = await serverFor(t, { models: [stableDiffusionModel({ processingMs: 5 })] });
    const input = { prompt: 'logo', num_outputs: 2, image_dimensions: '512x512' };
    const output = (await createTestClient(server).run(STABLE_DIFFUSION, { input })) as string[];
    assert.equal(output.length, 2);
    const [prediction] = server.predictions.values();
    assert.equal(prediction?.urls.stream, undefined, 'file models do not stream by default');
    for (const [index, url] of output.entries()) {
      assert.equal(url, `${server.url}/files/${prediction?.id}/out-${index}.png`);
      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/png');
      const bytes = new Uint8Array(await response.arrayBuffer());
      assert.equal(response.headers.get('content-length'), String(bytes.byteLength));
      assert.ok(isValidPng(bytes));
    }
    const downloads = server.requests.filter((record) => record.path.startsWith('/files/'));
    assert.deepEqual(downloads.map((record) => record.status), [200, 200]);
    const missing = await fetch(`${server.url}/files/${prediction?.id}/out-9.png`);
    assert.equal(missing.status, 404);
  });

  it('makes PNGs that validate, and rejects corrupted ones', () => {
    const png = makePng(8, 8);
    assert.ok(isValidPng(png));
    assert.ok(isValidPng(makePng(3, 5, 7)));
    const corrupted = png.slice();
    corrupted[40] = (corrupted[40] ?? 0) ^ 0xff;
    assert.equal(isValidPng(corrupted), false);
    assert.equal(isValidPng(png.subarray(0, png.length - 4)), false);
  });
});

describe('models and versions', () => {
  let server: ReplicateServer;
  before(async () => {
    server = await startReplicateServer({ models: seedModels() });
  });
  after(() => server.close());

  it('serves model and version objects that conform to the spec, with Cog input schemas', async () => {
    const client = createTestClient(server);
    const model = await client.models.get('stability-ai', 'stable-diffusion');
    assertConforms('schemas_model_response', model);
    type CogSchemas = Record<string, { properties?: Record<string, { 'x-order'?: number; allOf?: unknown }>; enum?: unknown }>;
    const schema = model.latest_version?.openapi_schema as { components: { schemas: CogSchemas } };
    const input = schema.components.schemas['Input']?.properties ?? {};
    assert.equal(input['prompt']?.['x-order'], 0);
    assert.deepEqual(input['scheduler']?.allOf, [{ $ref: '#/components/schemas/scheduler' }]);
    assert.deepEqual(schema.components.schemas['image_dimensions']?.enum, ['512x512', '768x768']);

    const version = await client.models.versions.get('replicate', 'dolly-v2-12b', DOLLY_VERSION);
    assertConforms('schemas_version_response', version);
    assert.equal(version.id, DOLLY_VERSION);
    const versions = await client.models.versions.list('replicate', 'dolly-v2-12b');
    assertConforms('schemas_paginated_version_response', versions);
    const official = await client.models.get('meta', 'meta-llama-3-8b-instruct');
    assert.equal(official.latest_version?.id !== undefined, true);
    assertConforms('schemas_model_response', official);
  });

  it('answers 404 for version lists of official models and for unknown models or versions', async () => {
    const client = createTestClient(server);
    for (const call of [
      client.models.versions.list('meta', 'meta-llama-3-8b-instruct'),
      client.models.get('nobody', 'nothing'),
      client.models.versions.get('replicate', 'dolly-v2-12b', 'f'.repeat(64)),
    ]) {
      assert.deepEqual(apiErrorBody(await rejection(call)), { status: 404, body: NOT_FOUND });
    }
  });

  it('pins the spec defect behind the hidden-version fix: raw oneOf rejects "hidden", ids pass both ways', () => {
    const raw = createSpecValidator({ fixHiddenVersion: false });
    const hidden = {
      id: 'x',
      model: 'a/b',
      version: 'hidden',
      input: {},
      output: null,
      data_removed: false,
      error: null,
      status: 'starting',
      created_at: '2024-01-01T00:00:00Z',
      urls: { get: 'http://h/g', cancel: 'http://h/c', web: 'http://h/w' },
    };
    assert.deepEqual(raw('schemas_prediction_response', hidden), ['/version must match exactly one schema in oneOf']);
    assert.deepEqual(conforms('schemas_prediction_response', hidden), []);
    assert.deepEqual(raw('schemas_prediction_response', { ...hidden, version: DOLLY_VERSION }), []);
    assert.notDeepEqual(conforms('schemas_prediction_response', { ...hidden, version: 7 }), []);
  });

  it('tokenizes with leading spaces so joining gives the text back', () => {
    assert.deepEqual(tokenize('Name for: a  b\n'), ['Name', ' for:', ' a', '  b\n']);
    assert.equal(tokenize(' lead and trail ').join(''), ' lead and trail ');
    assert.deepEqual(tokenize(''), []);
  });
});

describe('lifecycle of the server itself', () => {
  it('closes promptly with running predictions, held sync waits and open streams', async () => {
    const server = await startReplicateServer({ models: [dollyModel({ startDelayMs: 10_000 })], maxSyncWaitMs: 10_000 });
    const client = createTestClient(server);
    const created = await client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'x' } });
    const stream = await fetch(created.urls.stream ?? '');
    const held = client.predictions.create({ version: DOLLY_VERSION, input: { prompt: 'y' }, wait: 60 }).catch((error: unknown) => error);
    await waitUntil(() => (server.predictions.size === 2 ? true : undefined));
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 500);
    await rejection(stream.text());
    assert.ok((await held) instanceof Error);
  });

  it('reset clears requests, predictions and injections', async (t) => {
    const server = await serverFor(t, { models: [dollyModel()] });
    server.inject({ status: 500, times: Infinity });
    server.reset();
    await createTestClient(server).predictions.create({ version: DOLLY_VERSION, input: { prompt: 'x' } });
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.status, 201);
    server.reset();
    assert.equal(server.requests.length, 0);
    assert.equal(server.predictions.size, 0);
  });
});

describe('network guard', () => {
  it('blocks non-loopback hosts and allows loopback', async (t) => {
    const error = await rejection(fetch('https://api.replicate.com/v1/models'));
    assert.equal(((error as Error).cause as Error | undefined)?.message, 'test network guard: blocked connection to api.replicate.com');
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost') && isLoopbackHost('127.8.9.10'));
    assert.ok(!isLoopbackHost('10.0.0.1') && !isLoopbackHost('api.replicate.com') && !isLoopbackHost('128.0.0.1'));
    const server = await serverFor(t, {});
    assert.equal((await fetch(`${server.url}/nothing`)).status, 404);
  });

  it('guards spawned processes through NODE_OPTIONS', () => {
    const guardPath = fileURLToPath(new URL('../support/no-network.mjs', import.meta.url));
    const child = spawnSync(
      process.execPath,
      ['-e', "fetch('http://example.com/').then(() => console.log('reached'), (error) => console.log(error.cause?.message))"],
      { env: { ...process.env, NODE_OPTIONS: `--import ${guardPath}` }, encoding: 'utf8', timeout: 10_000 },
    );
    assert.equal(child.stdout.trim(), 'test network guard: blocked connection to example.com');
  });
});
