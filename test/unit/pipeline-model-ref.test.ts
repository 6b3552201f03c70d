import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseModelRef, parsePipeline, resolvePromptKey } from '../../src/pipeline/index.js';
import type { ModelSchema } from '../../src/providers/types.js';

const VERSION = 'db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf';

describe('parseModelRef', () => {
  it('parses official and versioned references', () => {
    assert.deepEqual(parseModelRef('meta/meta-llama-3-8b-instruct'), { owner: 'meta', name: 'meta-llama-3-8b-instruct' });
    assert.deepEqual(parseModelRef(`stability-ai/stable-diffusion:${VERSION}`), { owner: 'stability-ai', name: 'stable-diffusion', version: VERSION });
  });

  it('rejects malformed references', () => {
    for (const text of ['stability-ai', 'a/b:', 'a/b/c', '/b', 'a/', `a/b:${VERSION.slice(1)}`, `a/b:${VERSION.toUpperCase()}`, ' a/b', 'a b/c']) {
      assert.equal(parseModelRef(text), undefined, text);
    }
  });
});

describe('resolvePromptKey', () => {
  const { pipeline } = parsePipeline('steps:\n  - id: a\n    model: o/m\n    template: x\n  - id: b\n    model: o/m\n    template: "{{a}}"\n    prompt_key: text\n', 't.yaml');
  const [plain, explicit] = pipeline?.steps ?? [];
  assert.ok(plain && explicit);
  const schema = (properties: Record<string, unknown>): ModelSchema => ({ version: 'v', input: { type: 'object', properties }, components: {} });

  it('prefers prompt_key', () => {
    assert.equal(resolvePromptKey(explicit, schema({ prompt: { 'x-order': 0 } })), 'text');
  });

  it('takes the first input by x-order, missing x-order counting as 0, ties stable', () => {
    assert.equal(resolvePromptKey(plain, schema({ seed: { 'x-order': 3 }, question: { 'x-order': 1 }, context: { 'x-order': 2 } })), 'question');
    assert.equal(resolvePromptKey(plain, schema({ seed: { 'x-order': 1 }, text: {}, other: {} })), 'text');
  });

  it('falls back to prompt', () => {
    assert.equal(resolvePromptKey(plain, undefined), 'prompt');
    assert.equal(resolvePromptKey(plain, schema({})), 'prompt');
  });
});
