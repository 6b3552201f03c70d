/** The small pure pieces behind the Replicate provider and the executor. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createSingleAttemptFetch, normalizeBaseUrl } from '../../src/providers/replicate/client.js';
import { classifyError, parseRetryAfter } from '../../src/providers/replicate/errors.js';
import { createDiskSchemaCache } from '../../src/providers/replicate/schema-cache.js';
import { interpretOutput } from '../../src/run/outputs.js';
import { cutAtStop } from '../../src/run/stop.js';

describe('normalizeBaseUrl', () => {
  test('appends /v1 to a bare host, as REPLICATE_BASE_URL is written for the Python client', () => {
    assert.equal(normalizeBaseUrl('https://api.replicate.com'), 'https://api.replicate.com/v1');
    assert.equal(normalizeBaseUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080/v1');
  });
  test('keeps a URL that has a path', () => {
    assert.equal(normalizeBaseUrl('https://api.replicate.com/v1'), 'https://api.replicate.com/v1');
    assert.equal(normalizeBaseUrl('https://proxy.example/replicate/v1/'), 'https://proxy.example/replicate/v1');
  });
});

describe('parseRetryAfter', () => {
  test('reads seconds and HTTP dates from the header', () => {
    assert.equal(parseRetryAfter('7', ''), 7);
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 12:00:10 GMT', '', Date.parse('Tue, 24 Nov 2026 12:00:00 GMT')), 10);
  });
  test('falls back to the time Replicate writes in the body', () => {
    assert.equal(parseRetryAfter(null, '{"detail":"Request was throttled. Your rate limit resets in ~30s."}'), 30);
    assert.equal(parseRetryAfter(undefined, 'Request was throttled. Expected available in 1 second.'), 1);
    assert.equal(parseRetryAfter(undefined, 'no hint here'), undefined);
  });
});

describe('createSingleAttemptFetch', () => {
  test('answers repeats of a failed call from memory: one logical call, one request', async () => {
    let calls = 0;
    const fetch = createSingleAttemptFetch(async () => {
      calls += 1;
      return new Response('{"detail":"throttled"}', { status: 429, headers: { 'retry-after': '3' } });
    });
    const init = { method: 'POST' };
    const first = await fetch('http://127.0.0.1/v1/predictions', init);
    const second = await fetch('http://127.0.0.1/v1/predictions', init);
    assert.equal(calls, 1);
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '3');
    assert.equal(await first.text(), await second.text());
    await fetch('http://127.0.0.1/v1/predictions', { method: 'POST' });
    assert.equal(calls, 2, 'a new call (new init) makes a new request');
  });
  test('replays a network error instead of retrying it', async () => {
    let calls = 0;
    const fetch = createSingleAttemptFetch(async () => {
      calls += 1;
      throw new TypeError('fetch failed');
    });
    const init = {};
    await assert.rejects(fetch('http://127.0.0.1/', init), /fetch failed/);
    await assert.rejects(fetch('http://127.0.0.1/', init), /fetch failed/);
    assert.equal(calls, 1);
  });
});

describe('classifyError', () => {
  const apiError = (status: number, body: string, headers: Record<string, string> = {}) =>
    Object.assign(new Error(`Request to http://x/v1/predictions failed with status ${status} Status: ${body}.`), {
      name: 'ApiError',
      response: new Response(null, { status, headers }),
    });
  test('classifies by status with codes, retryability and hints', () => {
    assert.equal(classifyError(apiError(401, '{"detail":"bad"}'), 'op').code, 'E_AUTH');
    assert.equal(classifyError(apiError(404, '{}'), 'op').code, 'E_NOT_FOUND');
    assert.equal(classifyError(apiError(422, '{"detail":"x"}'), 'op').code, 'E_INVALID_INPUT');
    const limited = classifyError(apiError(429, '{"detail":"resets in ~4s"}'), 'op');
    assert.equal(limited.code, 'E_RATE_LIMIT');
    assert.equal(limited.retryable, true);
    assert.equal((limited as { retryAfterSeconds?: number }).retryAfterSeconds, 4);
    assert.equal(classifyError(apiError(503, ''), 'op').retryable, true);
    assert.equal(classifyError(apiError(400, ''), 'op').retryable, false);
  });
  test('says what the server said, after what we were doing', () => {
    const error = classifyError(apiError(401, '{"title":"Unauthenticated","detail":"You did not pass an authentication token","status":401}'), 'creating a prediction for a/b');
    assert.equal(error.message, 'creating a prediction for a/b: Replicate answered 401: You did not pass an authentication token');
  });
  test('recognises network failures', () => {
    const error = classifyError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }), 'op');
    assert.equal(error.code, 'E_NETWORK');
    assert.equal(error.retryable, true);
  });
});

describe('interpretOutput', () => {
  const tokens = { type: 'array', items: { type: 'string' }, 'x-cog-array-type': 'iterator', 'x-cog-array-display': 'concatenate' };
  const files = { type: 'array', items: { type: 'string', format: 'uri' } };
  test('joins text tokens, even one that looks like a URL', () => {
    assert.deepEqual(interpretOutput([' Hello', ' world'], tokens), { kind: 'text', text: ' Hello world' });
    assert.deepEqual(interpretOutput(['https://not-a-file'], tokens), { kind: 'text', text: 'https://not-a-file' });
  });
  test('recognises files by schema, and by shape when there is no schema', () => {
    assert.deepEqual(interpretOutput(['https://x/a.png', 'https://x/b.png'], files), { kind: 'files', urls: ['https://x/a.png', 'https://x/b.png'] });
    assert.deepEqual(interpretOutput('https://x/a.png', undefined), { kind: 'files', urls: ['https://x/a.png'] });
    assert.deepEqual(interpretOutput(['a sentence with https://x'], undefined), { kind: 'text', text: 'a sentence with https://x' });
  });
  test('keeps other JSON as JSON', () => {
    assert.deepEqual(interpretOutput({ score: 1 }, undefined), { kind: 'json', value: { score: 1 }, text: '{"score":1}' });
  });
});

describe('cutAtStop', () => {
  test('cuts before the earliest stop sequence', () => {
    assert.deepEqual(cutAtStop('one\ntwo\n\nthree', ['\n\n', 'two']), { text: 'one\n', stopped: true });
    assert.deepEqual(cutAtStop('nothing', ['x']), { text: 'nothing', stopped: false });
  });
});

describe('disk schema cache', () => {
  test('keeps a pinned version and expires a latest version after an hour', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'schema-cache-'));
    let now = 1_000_000;
    const cache = createDiskSchemaCache(directory, 'https://api.replicate.com', () => now);
    const schema = { version: 'v1', input: { type: 'object' }, components: {} };
    await cache.set('a/b:v1', schema, true);
    await cache.set('meta/llama', schema, false);
    now += 2 * 3600_000;
    assert.deepEqual(await cache.get('a/b:v1'), schema);
    assert.equal(await cache.get('meta/llama'), undefined);
    const otherHost = createDiskSchemaCache(directory, 'http://127.0.0.1:1234', () => now);
    assert.equal(await otherHost.get('a/b:v1'), undefined, 'entries are per API host');
    await rm(directory, { recursive: true });
  });
});
