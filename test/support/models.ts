/**
 * Fake versions of the seed models (dolly, stable-diffusion, llama-3) with Cog schemas built from
 * what Replicate publishes for them, and deterministic outputs: text models echo the prompt so a
 * test can see exactly what reached each step; the image model returns real PNGs.
 */
import { createHash } from 'node:crypto';
import { cogSchema, FILE_LIST_OUTPUT, TOKEN_STREAM_OUTPUT, tokenize } from './cog-schema.js';
import type { FakeFile, FakeModel, FakeOutput } from './fake-model.js';
import { makePng } from './png.js';

/** Pinned version of `replicate/dolly-v2-12b` (the one in LangChain's docs). */
export const DOLLY_VERSION = 'ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5';
/** Pinned version of `stability-ai/stable-diffusion` with `image_dimensions`. */
export const STABLE_DIFFUSION_VERSION = 'db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf';
/** Made-up id for the official llama-3 model; clients never see it (predictions say "hidden"). */
export const LLAMA3_VERSION = '5a6809ca6288247d06daf6365557e5e429063f32a21146b2a807c682652136b8';

/** Overrides every factory accepts: a replacement `run`, fixed tokens, and timing. */
export type FakeModelOptions = {
  run?: FakeModel['run'];
  /** Fixed tokens for a text model, whatever the input. */
  tokens?: string[];
  startDelayMs?: number;
  tokenIntervalMs?: number;
  processingMs?: number;
  stream?: boolean;
};

function withOptions(base: FakeModel, options: FakeModelOptions): FakeModel {
  const { tokens, run, ...timing } = options;
  const fixed = tokens === undefined ? undefined : (): FakeOutput => ({ tokens: [...tokens] });
  return { ...base, ...timing, run: run ?? fixed ?? base.run };
}

function text(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  return typeof value === 'string' ? value : '';
}

/** `replicate/dolly-v2-12b`: answers `Name for: <prompt>` as space-led tokens, capped by max_length. */
export function dollyModel(options: FakeModelOptions = {}): FakeModel {
  const schema = cogSchema(
    [
      { name: 'prompt', type: 'string', description: 'Input Prompt.', required: true },
      { name: 'max_length', type: 'integer', minimum: 1, default: 500,
        description: 'Maximum number of tokens to generate. A word is generally 2-3 tokens' },
      { name: 'decoding', type: 'string', choices: ['top_p', 'top_k'], default: 'top_p',
        description: 'Choose a decoding method' },
      { name: 'top_k', type: 'integer', default: 50,
        description: 'Valid if you choose top_k decoding. The number of highest probability vocabulary tokens to keep for top-k-filtering' },
      { name: 'top_p', type: 'number', minimum: 0.01, maximum: 1, default: 1,
        description: 'Valid if you choose top_p decoding. When decoding text, samples from the top p percentage of most likely tokens; lower to ignore less likely tokens' },
      { name: 'temperature', type: 'number', minimum: 0.01, maximum: 5, default: 0.75,
        description: 'Adjusts randomness of outputs, greater than 1 is random and 0 is deterministic, 0.75 is a good starting value.' },
      { name: 'repetition_penalty', type: 'number', minimum: 0.01, maximum: 5, default: 1.2,
        description: 'Penalty for repeated words in generated text; 1 is no penalty, values greater than 1 discourage repetition, less than 1 encourage it.' },
    ],
    TOKEN_STREAM_OUTPUT,
  );
  const run = (input: Record<string, unknown>): FakeOutput => {
    const limit = typeof input['max_length'] === 'number' ? input['max_length'] : 500;
    return { tokens: tokenize(`Name for: ${text(input, 'prompt')}`).slice(0, limit) };
  };
  const base: FakeModel = { owner: 'replicate', name: 'dolly-v2-12b', versions: [{ id: DOLLY_VERSION, openapiSchema: schema }], run };
  return withOptions(base, options);
}

/** `stability-ai/stable-diffusion`: `num_outputs` small valid PNGs named out-N.png; `seed` varies the pixels. */
export function stableDiffusionModel(options: FakeModelOptions & { imageSize?: number } = {}): FakeModel {
  const schema = cogSchema(
    [
      { name: 'prompt', type: 'string', default: 'a vision of paradise. unreal engine', description: 'Input prompt' },
      { name: 'image_dimensions', type: 'string', choices: ['512x512', '768x768'], default: '768x768',
        description: 'pixel dimensions of output image' },
      { name: 'negative_prompt', type: 'string', description: 'Specify things to not see in the output' },
      { name: 'num_outputs', type: 'integer', minimum: 1, maximum: 4, default: 1,
        description: 'Number of images to output.' },
      { name: 'num_inference_steps', type: 'integer', minimum: 1, maximum: 500, default: 50,
        description: 'Number of denoising steps' },
      { name: 'guidance_scale', type: 'number', minimum: 1, maximum: 20, default: 7.5,
        description: 'Scale for classifier-free guidance' },
      { name: 'scheduler', type: 'string', choices: ['DDIM', 'K_EULER', 'DPMSolverMultistep', 'K_EULER_ANCESTRAL', 'PNDM', 'KLMS'], default: 'DPMSolverMultistep',
        description: 'Choose a scheduler.' },
      { name: 'seed', type: 'integer', description: 'Random seed. Leave blank to randomize the seed' },
    ],
    FILE_LIST_OUTPUT,
  );
  const size = options.imageSize ?? 8;
  const run = (input: Record<string, unknown>): FakeOutput => {
    const count = typeof input['num_outputs'] === 'number' ? input['num_outputs'] : 1;
    const seed = typeof input['seed'] === 'number' ? input['seed'] : 0;
    const files: FakeFile[] = Array.from({ length: count }, (_, index) => ({
      name: `out-${index}.png`,
      contentType: 'image/png',
      bytes: makePng(size, size, seed + index),
    }));
    return { files };
  };
  const base: FakeModel = {
    owner: 'stability-ai',
    name: 'stable-diffusion',
    versions: [{ id: STABLE_DIFFUSION_VERSION, openapiSchema: schema }],
    run,
  };
  return withOptions(base, options);
}

const LLAMA_STOP_DEFAULT = '<|end_of_text|>,<|eot_id|>';

/** Cuts `answer` at the first comma-separated stop sequence, as the model stops generating there. */
function applyStopSequences(answer: string, stopSequences: string): string {
  let end = answer.length;
  for (const stop of stopSequences.split(',')) {
    const at = stop === '' ? -1 : answer.indexOf(stop);
    if (at !== -1 && at < end) end = at;
  }
  return answer.slice(0, end);
}

/** Official `meta/meta-llama-3-8b-instruct`: answers `You said: <prompt>`, honouring stop_sequences and max_tokens. */
export function llama3Model(options: FakeModelOptions = {}): FakeModel {
  const schema = cogSchema(
    [
      { name: 'prompt', type: 'string', default: '', description: 'Prompt to send to the model.', required: true },
      { name: 'system_prompt', type: 'string', default: 'You are a helpful assistant',
        description: 'System prompt to send to the model. This is prepended to the prompt and helps guide system behavior.' },
      { name: 'max_tokens', type: 'integer', minimum: 1, default: 512,
        description: 'Maximum number of tokens to generate. A word is generally 2-3 tokens.' },
      { name: 'min_tokens', type: 'integer', minimum: -1, default: 0,
        description: 'Minimum number of tokens to generate. To disable, set to -1. A word is generally 2-3 tokens.' },
      { name: 'temperature', type: 'number', minimum: 0, maximum: 5, default: 0.7,
        description: 'Adjusts randomness of outputs, greater than 1 is random and 0 is deterministic, 0.75 is a good starting value.' },
      { name: 'top_p', type: 'number', minimum: 0, maximum: 1, default: 0.95,
        description: 'When decoding text, samples from the top p percentage of most likely tokens; lower to ignore less likely tokens.' },
      { name: 'top_k', type: 'integer', minimum: -1, default: 0,
        description: 'When decoding text, samples from the top k most likely tokens; lower to ignore less likely tokens.' },
      { name: 'stop_sequences', type: 'string', default: LLAMA_STOP_DEFAULT,
        description: "A comma-separated list of sequences to stop generation at. For example, '<end>,<stop>' will stop generation at the first instance of 'end' or '<stop>'." },
      { name: 'length_penalty', type: 'number', minimum: 0, maximum: 5, default: 1,
        description: 'A parameter that controls how long the outputs are. If < 1, the model will tend to generate shorter outputs, and > 1 will tend to generate longer outputs.' },
      { name: 'presence_penalty', type: 'number', default: 0,
        description: 'A parameter that penalizes repeated tokens regardless of the number of appearances.' },
      { name: 'seed', type: 'integer', description: 'Random seed. Leave blank to randomize the seed.' },
      { name: 'prompt_template', type: 'string', default: '{prompt}',
        description: 'Template for formatting the prompt. Can be an arbitrary string, but must contain the substring `{prompt}`.' },
      { name: 'log_performance_metrics', type: 'boolean', default: false,
        description: 'If true, logs performance metrics.' },
      { name: 'max_new_tokens', type: 'integer', minimum: 1,
        description: 'This parameter has been renamed to max_tokens. max_new_tokens only exists for backwards compatibility purposes. We recommend you use max_tokens instead. Both may not be specified.' },
      { name: 'min_new_tokens', type: 'integer', minimum: -1,
        description: 'This parameter has been renamed to min_tokens. min_new_tokens only exists for backwards compatibility purposes. We recommend you use min_tokens instead. Both may not be specified.' },
    ],
    TOKEN_STREAM_OUTPUT,
  );
  const run = (input: Record<string, unknown>): FakeOutput => {
    const stops = typeof input['stop_sequences'] === 'string' ? input['stop_sequences'] : LLAMA_STOP_DEFAULT;
    const limit = typeof input['max_tokens'] === 'number' ? input['max_tokens'] : 512;
    return { tokens: tokenize(applyStopSequences(`You said: ${text(input, 'prompt')}`, stops)).slice(0, limit) };
  };
  const base: FakeModel = {
    owner: 'meta',
    name: 'meta-llama-3-8b-instruct',
    official: true,
    versions: [{ id: LLAMA3_VERSION, openapiSchema: schema }],
    run,
  };
  return withOptions(base, options);
}

/** A minimal text model under any name: one required `prompt`, output = the prompt's tokens echoed. */
export function echoModel(
  identity: { owner: string; name: string; version: string; official?: boolean },
  options: FakeModelOptions = {},
): FakeModel {
  const schema = cogSchema(
    [{ name: 'prompt', type: 'string', description: 'Text to echo.', required: true }],
    TOKEN_STREAM_OUTPUT,
  );
  const base: FakeModel = {
    owner: identity.owner,
    name: identity.name,
    ...(identity.official === undefined ? {} : { official: identity.official }),
    versions: [{ id: identity.version, openapiSchema: schema }],
    run: (input) => ({ tokens: tokenize(text(input, 'prompt')) }),
  };
  return withOptions(base, options);
}

/** The three seed models with shared options (timing applies to all; use the factories for per-model runs). */
export function seedModels(options: Omit<FakeModelOptions, 'run' | 'tokens'> = {}): FakeModel[] {
  return [dollyModel(options), stableDiffusionModel(options), llama3Model(options)];
}

/**
 * The same fake model under `acme/<name>` with a version id of its own (version ids are global on
 * Replicate, so two models must never share one); returns it and the reference a pipeline uses.
 */
export function renamedModel(model: FakeModel, name: string): { model: FakeModel; reference: string } {
  const id = createHash('sha256').update(name).digest('hex');
  const schema = model.versions[0]?.openapiSchema ?? {};
  return { model: { ...model, owner: 'acme', name, versions: [{ id, openapiSchema: schema }] }, reference: `acme/${name}:${id}` };
}
