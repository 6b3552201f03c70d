import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunPipelineError } from '../../src/errors.js';
import type { Diagnostic } from '../../src/errors.js';
import { parsePipeline, preflightPipeline } from '../../src/pipeline/index.js';
import type { Pipeline } from '../../src/pipeline/index.js';
import type { ModelSchema } from '../../src/providers/types.js';

const SD = 'stability-ai/stable-diffusion:db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf';
const LLAMA = 'meta/meta-llama-3-8b-instruct';

/** Shaped like Cog's openapi_schema.components.schemas for stable-diffusion. */
const stableDiffusion: ModelSchema = {
  version: 'db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf',
  input: {
    type: 'object',
    title: 'Input',
    properties: {
      seed: { type: 'integer', title: 'Seed', 'x-order': 7 },
      prompt: { type: 'string', title: 'Prompt', default: 'a photo', 'x-order': 0 },
      image_dimensions: { allOf: [{ $ref: '#/components/schemas/image_dimensions' }], default: '768x768', 'x-order': 1 },
      num_inference_steps: { type: 'integer', title: 'Num Inference Steps', minimum: 1, maximum: 500, default: 50, 'x-order': 4 },
      guidance_scale: { type: 'number', minimum: 1, maximum: 20, default: 7.5, 'x-order': 5 },
      scheduler: { allOf: [{ $ref: '#/components/schemas/scheduler' }], default: 'DPMSolverMultistep', 'x-order': 6 },
    },
  },
  components: {
    image_dimensions: { title: 'image_dimensions', enum: ['512x512', '768x768'], type: 'string', description: 'An enumeration.' },
    scheduler: { title: 'scheduler', enum: ['DDIM', 'K_EULER', 'DPMSolverMultistep'], type: 'string' },
  },
};

const llama: ModelSchema = {
  version: 'latest',
  input: {
    type: 'object',
    required: ['prompt'],
    properties: {
      prompt: { type: 'string', 'x-order': 0 },
      max_tokens: { type: 'integer', default: 512, 'x-order': 1 },
      max_new_tokens: { type: 'integer', 'x-order': 2 },
      temperature: { type: 'number', minimum: 0, maximum: 5, default: 0.6, 'x-order': 3 },
      top_p: { type: 'number', minimum: 0, maximum: 1, default: 0.9, 'x-order': 4 },
    },
  },
  components: {},
};

function load(text: string): Pipeline {
  const { pipeline, diagnostics } = parsePipeline(text, 'p.yaml');
  assert.ok(pipeline, JSON.stringify(diagnostics));
  return pipeline;
}

function where(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.location?.line}:${diagnostic.location?.column}`);
}

const schemas = new Map<string, ModelSchema | Error>([[SD, stableDiffusion], [LLAMA, llama]]);

describe('preflightPipeline', () => {
  it('accepts valid kwargs (the shipped logo chain shape)', () => {
    const pipeline = load(`steps:\n  - id: logo\n    model: ${SD}\n    template: "{{input}}"\n    model_kwargs:\n      image_dimensions: "512x512"\n      num_inference_steps: 30\n`);
    assert.deepEqual(preflightPipeline(pipeline, schemas), []);
  });

  it('reports enum (allOf/$ref), range, type and unknown-key problems at each kwarg', () => {
    const pipeline = load([
      'steps:',
      '  - id: logo',
      `    model: ${SD}`,
      '    template: "{{input}}"',
      '    model_kwargs:',
      '      image_dimensions: 640x640',
      '      num_inference_steps: 0',
      '      guidance_scale: "high"',
      '      num_inference_step: 20',
      '      seed: null',
      '',
    ].join('\n'));
    const diagnostics = preflightPipeline(pipeline, schemas);
    assert.deepEqual(where(diagnostics).sort(), ['E_MODEL_INPUT 10:7', 'E_MODEL_INPUT 6:7', 'E_MODEL_INPUT 7:7', 'E_MODEL_INPUT 8:7', 'E_MODEL_INPUT 9:7'].sort());
    assert.ok(diagnostics.some((diagnostic) => /num_inference_steps/.test(diagnostic.message) && /did you mean/.test(diagnostic.message)));
  });

  it('reports max_tokens together with max_new_tokens', () => {
    const pipeline = load(`steps:\n  - id: a\n    model: ${LLAMA}\n    template: "{{input}}"\n    model_kwargs:\n      max_tokens: 100\n      max_new_tokens: 100\n`);
    assert.deepEqual(where(preflightPipeline(pipeline, schemas)), ['E_MODEL_INPUT 7:7']);
  });

  it('reports a prompt_key the model does not have, at prompt_key', () => {
    const pipeline = load(`steps:\n  - id: a\n    model: ${LLAMA}\n    template: "{{input}}"\n    prompt_key: text\n`);
    assert.deepEqual(where(preflightPipeline(pipeline, schemas)), ['E_MODEL_INPUT 3:12', 'E_MODEL_INPUT 5:17']); // and prompt, required, is now unset
  });

  it('reports a kwarg that the template would overwrite', () => {
    const pipeline = load(`steps:\n  - id: a\n    model: ${LLAMA}\n    template: "{{input}}"\n    model_kwargs:\n      prompt: hi\n`);
    assert.deepEqual(where(preflightPipeline(pipeline, schemas)), ['E_MODEL_INPUT 6:7']);
  });

  it('reports an unknown model at the model line', () => {
    const pipeline = load(`steps:\n  - id: a\n    model: nobody/nothing\n    template: "{{input}}"\n`);
    const missing = new Map<string, ModelSchema | Error>([['nobody/nothing', new RunPipelineError('E_NOT_FOUND', 'not found')]]);
    assert.deepEqual(where(preflightPipeline(pipeline, missing)), ['E_MODEL_REF 3:12']);
  });
});
