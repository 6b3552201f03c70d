/**
 * Preflight: before the first prediction is paid for, check every step's `model_kwargs` and prompt
 * against the input schema the model itself publishes (Cog's `components.schemas.Input`: `x-order`,
 * enums via `allOf`/`$ref`, minimum/maximum, defaults). Pure: the schemas are passed in.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { didYouMeanSuffix } from '../did-you-mean.js';
import { RunPipelineError } from '../errors.js';
import type { Diagnostic, SourceLocation } from '../errors.js';
import type { ModelSchema } from '../providers/types.js';
import { translateAjvErrors } from './ajv-errors.js';
import { sortDiagnostics } from './parse.js';
import { resolvePromptKey } from './prompt-key.js';
import type { Pipeline, Step } from './types.js';

/** Inputs that mean the same thing on different models; setting both is almost always a mistake. */
const EXCLUSIVE_INPUTS: readonly (readonly [string, string])[] = [['max_tokens', 'max_new_tokens']];

/** One Ajv for model schemas: lenient about Cog's extra keywords (`x-order`, `nullable`) and formats. */
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<ModelSchema, ValidateFunction | Error>();

function validatorFor(schema: ModelSchema): ValidateFunction | Error {
  let validator = compiled.get(schema);
  if (validator === undefined) {
    try {
      // Cog's $refs point at #/components/schemas/..., so the components travel with the Input schema.
      validator = ajv.compile({ ...schema.input, components: { schemas: schema.components } });
    } catch (error) {
      validator = error instanceof Error ? error : new Error(String(error));
    }
    compiled.set(schema, validator);
  }
  return validator;
}

function properties(schema: ModelSchema): Record<string, Record<string, unknown>> {
  const value = schema.input['properties'];
  return value !== null && typeof value === 'object' ? (value as Record<string, Record<string, unknown>>) : {};
}

/** Checks one step against its model's schema. */
function preflightStep(step: Step, index: number, schema: ModelSchema): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const known = properties(schema);
  const names = Object.keys(known);
  const modelLocation = step.locations.model ?? step.locations.step;
  const report = (message: string, location: SourceLocation | undefined, hint?: string): void => {
    const diagnostic: Diagnostic = { code: 'E_MODEL_INPUT', severity: 'error', message: `steps[${index}] (${step.id}): ${message}` };
    if (location !== undefined) diagnostic.location = location;
    if (hint !== undefined) diagnostic.hint = hint;
    diagnostics.push(diagnostic);
  };
  const model = `${step.modelRef.owner}/${step.modelRef.name}`;
  const listed = `inputs of ${model}: ${names.join(', ') || 'none'}`;

  const promptKey = resolvePromptKey(step, schema);
  const promptLocation = step.locations.promptKey ?? step.locations.template;
  if (!(promptKey in known)) {
    report(`${model} has no input "${promptKey}" to receive the template${didYouMeanSuffix(promptKey, names)}`, promptLocation, `set prompt_key to one of its inputs; ${listed}`);
  }

  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(step.modelKwargs)) {
    const location = step.locations.modelKwargs[key];
    if (key === promptKey) {
      report(`model_kwargs.${key} would be overwritten by the template, which is sent as "${key}"`, location, `remove ${key} from model_kwargs, or send the template elsewhere with prompt_key`);
    } else if (!(key in known)) {
      report(`${model} has no input "${key}"${didYouMeanSuffix(key, names)}`, location, listed);
    } else if (value === null) {
      const fallback = known[key]?.['default'];
      report(`model_kwargs.${key} is null`, location, `leave ${key} out to use the model's default${fallback === undefined ? '' : ` (${JSON.stringify(fallback)})`}`);
    } else {
      input[key] = value;
    }
  }
  for (const [first, second] of EXCLUSIVE_INPUTS) {
    if (first in step.modelKwargs && second in step.modelKwargs) {
      report(`both ${first} and ${second} are set; they limit the same thing`, step.locations.modelKwargs[second], `keep only the one ${model} documents`);
    }
  }

  const validate = validatorFor(schema);
  if (validate instanceof Error) {
    diagnostics.push({ code: 'E_MODEL_INPUT', severity: 'warning', message: `the input schema of ${model} could not be used: ${validate.message}`, ...(modelLocation ? { location: modelLocation } : {}) });
    return diagnostics;
  }
  // The prompt is only known at run time; a string stands in for it so type mismatches still show.
  if (promptKey in known) input[promptKey] = 'prompt';
  if (!validate(input)) {
    const wrapper = { ...schema.input, components: { schemas: schema.components } };
    for (const problem of translateAjvErrors(validate.errors ?? [], input, wrapper)) {
      const [key] = problem.path;
      if (problem.keyword === 'required') {
        const missing = /"(.*)"/.exec(problem.message)?.[1] ?? '';
        report(`${model} requires input "${missing}"`, modelLocation, `add ${missing} to model_kwargs`);
      } else if (key === promptKey && typeof key === 'string') {
        if (problem.keyword === 'type') report(`input "${key}" receives the rendered template (text) but ${problem.message}`, promptLocation, 'send the template to a text input with prompt_key');
      } else if (typeof key === 'string') {
        report(`model_kwargs.${problem.path.join('.')} ${problem.message}`, step.locations.modelKwargs[key], problem.hint);
      }
    }
  }
  return diagnostics;
}

/** What to say when a model's schema could not be had: missing, not runnable as written, or unreachable. */
function fetchFailure(model: string, error: Error): Diagnostic {
  if (error instanceof RunPipelineError && error.code === 'E_NOT_FOUND') {
    return { code: 'E_MODEL_REF', severity: 'error', message: `model ${model} does not exist on Replicate (or is private)`, hint: 'check the owner, the name and the version on the model\'s API page' };
  }
  if (error instanceof RunPipelineError && error.code === 'E_MODEL_REF') {
    return { code: 'E_MODEL_REF', severity: 'error', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  return {
    code: error instanceof RunPipelineError ? error.code : 'E_MODEL_REF',
    severity: 'error',
    message: `could not fetch the input schema of ${model}: ${error.message}`,
    hint: 'check your network and REPLICATE_API_TOKEN, then run check --remote again',
  };
}

/** Validates each step's `model_kwargs` and prompt against its model's published schema. */
export function preflightPipeline(pipeline: Pipeline, schemas: Map<string, ModelSchema | Error>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  pipeline.steps.forEach((step, index) => {
    const schema = schemas.get(step.model);
    if (schema === undefined) return;
    if (schema instanceof Error) {
      const diagnostic = fetchFailure(step.model, schema);
      const location = step.locations.model ?? step.locations.step;
      if (location !== undefined) diagnostic.location = location;
      diagnostics.push(diagnostic);
      return;
    }
    diagnostics.push(...preflightStep(step, index, schema));
  });
  return sortDiagnostics(diagnostics);
}
