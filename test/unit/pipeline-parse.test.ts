import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/errors.js';
import { parsePipeline } from '../../src/pipeline/index.js';

const VERSION = 'a'.repeat(64);

function codesAt(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.location?.line}:${diagnostic.location?.column}`);
}

describe('parsePipeline', () => {
  it('builds a pipeline with steps, locations and defaults', () => {
    const text = [
      'name: demo',
      'steps:',
      '  - id: first',
      `    model: owner/model:${VERSION}`,
      '    template: Say {{input}}',
      '    model_kwargs:',
      '      temperature: 0.5',
      '    stop: END',
      '    timeout: 1h30m',
      '    retries: 2',
      '  - id: second',
      '    model: meta/meta-llama-3-8b-instruct',
      '    template: "{{first}}"',
      '    prompt_key: text',
      '',
    ].join('\n');
    const { pipeline, diagnostics } = parsePipeline(text, 'demo.yaml');
    assert.deepEqual(diagnostics, []);
    assert.ok(pipeline);
    assert.equal(pipeline.name, 'demo');
    assert.equal(pipeline.implicitInput, true);
    assert.deepEqual(pipeline.inputs.map((input) => input.name), ['input']);
    const [first, second] = pipeline.steps;
    assert.ok(first && second);
    assert.deepEqual(first.modelRef, { owner: 'owner', name: 'model', version: VERSION });
    assert.deepEqual(first.stop, ['END']);
    assert.equal(first.timeout, 5400);
    assert.equal(first.retries, 2);
    assert.deepEqual(first.modelKwargs, { temperature: 0.5 });
    assert.deepEqual([first.locations.modelKwargs['temperature']?.line, first.locations.modelKwargs['temperature']?.column], [7, 7]);
    assert.deepEqual([first.locations.model?.line, first.locations.model?.column], [4, 12]);
    assert.equal(second.promptKey, 'text');
    assert.deepEqual(second.modelRef, { owner: 'meta', name: 'meta-llama-3-8b-instruct' });
    assert.match(pipeline.hash, /^[0-9a-f]{64}$/);
  });

  it('points at the unknown key, with a suggestion', () => {
    const text = 'steps:\n  - id: a\n    model: o/m\n    template: x\n    model_kwarg: {}\n';
    const { pipeline, diagnostics } = parsePipeline(text, 'f.yaml');
    assert.equal(pipeline, undefined);
    assert.deepEqual(codesAt(diagnostics), ['E_SCHEMA 5:5']);
    assert.match(diagnostics[0]?.message ?? '', /model_kwargs/);
  });

  it('reports every problem at once', () => {
    const text = [
      'steps:',
      '  - id: a',
      '    model: stability-ai',
      '    template: "{{compnay_name}}"',
      '  - id: company_name',
      '    template: 5',
      '',
    ].join('\n');
    const { diagnostics } = parsePipeline(text, 'f.yaml');
    assert.deepEqual(codesAt(diagnostics), ['W_UNUSED_STEP 2:9', 'E_MODEL_REF 3:12', 'E_REFERENCE 4:18', 'E_SCHEMA 5:5', 'E_SCHEMA 6:15']);
  });

  it('positions template references exactly inside block scalars', () => {
    const text = [
      'steps:',
      '  - id: a',
      '    model: o/m',
      '    template: |',
      '      first line',
      '        indented {{nope}}',
      '  - id: b',
      '    model: o/m',
      '    template: >',
      '      folded',
      '      text {{missing}}',
      '',
    ].join('\n');
    const { diagnostics } = parsePipeline(text, 'f.yaml');
    assert.deepEqual(codesAt(diagnostics), ['W_UNUSED_STEP 2:9', 'E_REFERENCE 6:20', 'E_REFERENCE 11:14']);
  });

  it('reports forward and self references', () => {
    const text = 'steps:\n  - id: a\n    model: o/m\n    template: "{{b}}"\n  - id: b\n    model: o/m\n    template: "{{b}} {{a}}"\n';
    const { diagnostics } = parsePipeline(text, 'f.yaml');
    assert.deepEqual(codesAt(diagnostics), ['E_REFERENCE 4:18', 'E_REFERENCE 7:18']);
  });

  it('never suggests a step to itself, and says when the suggestion runs later', () => {
    const text = 'steps:\n  - id: a\n    model: o/m\n    template: "{{x}} {{compnay_name}}"\n  - id: company_name\n    model: o/m\n    template: "{{a}}"\n';
    const messages = parsePipeline(text, 'f.yaml').diagnostics.map((diagnostic) => diagnostic.message);
    assert.ok(messages.some((message) => message.includes('{{x}}') && !message.includes('did you mean')), messages.join(' | '));
    assert.ok(messages.some((message) => message.includes('did you mean "company_name"? It runs after this step.')), messages.join(' | '));
  });

  it('warns about unused inputs and unused steps, and still returns the pipeline', () => {
    const text = 'inputs:\n  topic: {}\n  extra: { default: "x" }\nsteps:\n  - id: a\n    model: o/m\n    template: "{{topic}}"\n  - id: b\n    model: o/m\n    template: "{{topic}}"\n';
    const { pipeline, diagnostics } = parsePipeline(text, 'f.yaml');
    assert.ok(pipeline);
    assert.deepEqual(codesAt(diagnostics), ['W_UNUSED_INPUT 3:3', 'W_UNUSED_STEP 5:9']);
  });

  it('reports YAML problems at their position', () => {
    assert.deepEqual(codesAt(parsePipeline('steps:\n\t- id: a\n', 'f.yaml').diagnostics), ['E_YAML_SYNTAX 2:1']);
    assert.deepEqual(codesAt(parsePipeline('name: a\nname: b\nsteps: []\n', 'f.yaml').diagnostics), ['E_YAML_SYNTAX 2:1']);
    assert.deepEqual(codesAt(parsePipeline('name: a\n---\nname: b\n', 'f.yaml').diagnostics), ['E_YAML_SYNTAX 2:1']);
  });

  it('rejects files that are not a map', () => {
    assert.deepEqual(codesAt(parsePipeline('[1, 2]\n', 'f.yaml').diagnostics), ['E_SCHEMA 1:1']);
    assert.deepEqual(codesAt(parsePipeline('hello\n', 'f.yaml').diagnostics), ['E_SCHEMA 1:1']);
    assert.deepEqual(codesAt(parsePipeline('', 'f.yaml').diagnostics), ['E_FILE 1:1']);
    assert.deepEqual(codesAt(parsePipeline('# only a comment\n', 'f.yaml').diagnostics), ['E_FILE 1:1']);
  });
});
