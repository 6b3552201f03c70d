import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { parsePipeline, resolveInputs } from '../../src/pipeline/index.js';
import type { Pipeline } from '../../src/pipeline/index.js';

function pipelineFrom(text: string): Pipeline {
  const { pipeline, diagnostics } = parsePipeline(text, 'test.yaml');
  assert.ok(pipeline, JSON.stringify(diagnostics));
  return pipeline;
}

const implicit = pipelineFrom('steps:\n  - id: a\n    model: o/m\n    template: "{{input}}"\n');
const named = pipelineFrom('inputs:\n  topic: {}\n  mood: { default: calm }\nsteps:\n  - id: a\n    model: o/m\n    template: "{{topic}} {{mood}}"\n');
const single = pipelineFrom('inputs:\n  topic: {}\nsteps:\n  - id: a\n    model: o/m\n    template: "{{topic}}"\n');

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.equal(error.code, 'E_USAGE');
    return error.message;
  }
  assert.fail('expected a UsageError');
}

describe('resolveInputs', () => {
  it('sets the implicit input from --input', () => {
    assert.deepEqual(resolveInputs(implicit, { input: 'shoes', vars: {} }), { input: 'shoes' });
  });

  it('requires the implicit input when a template uses it', () => {
    usageMessage(() => resolveInputs(implicit, { vars: {} }));
  });

  it('applies defaults and --var values', () => {
    assert.deepEqual(resolveInputs(named, { vars: { topic: 'rain' } }), { topic: 'rain', mood: 'calm' });
    assert.deepEqual(resolveInputs(named, { vars: { topic: 'rain', mood: 'wild' } }), { topic: 'rain', mood: 'wild' });
  });

  it('lets --input set the only declared input', () => {
    assert.deepEqual(resolveInputs(single, { input: 'rain', vars: {} }), { topic: 'rain' });
  });

  it('refuses --input when it is ambiguous', () => {
    usageMessage(() => resolveInputs(named, { input: 'rain', vars: {} }));
  });

  it('lists every problem at once, with did-you-mean', () => {
    const message = usageMessage(() => resolveInputs(named, { vars: { topc: 'rain', colour: 'red' } }));
    assert.match(message, /topc/);
    assert.match(message, /did you mean "topic"/);
    assert.match(message, /colour/);
    assert.match(message, /missing input "topic"/);
  });
});
