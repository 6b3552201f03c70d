/**
 * Everything a run learns before it pays for anything: each model's published schema (once per
 * model), the preflight of every step's inputs against it, and each step's prompt key.
 */
import { PipelineInvalidError, RunPipelineError } from '../errors.js';
import { preflightPipeline, resolvePromptKey } from '../pipeline/index.js';
import type { Pipeline, Step } from '../pipeline/types.js';
import type { ModelSchema, Provider } from '../providers/types.js';

/** What preparation found out about one step. */
export type PreparedStep = { step: Step; schema: ModelSchema; promptKey: string };

/**
 * Fetches the schema of every model the pipeline uses, keyed by the model as written. A model
 * that does not exist is kept as its error (preflight reports it at the step's `model:` line);
 * anything else — a bad token, the network — fails the whole call.
 */
export async function fetchModelSchemas(pipeline: Pipeline, provider: Provider, signal?: AbortSignal): Promise<Map<string, ModelSchema | Error>> {
  const schemas = new Map<string, ModelSchema | Error>();
  const unique = [...new Map(pipeline.steps.map((step) => [step.model, step])).values()];
  await Promise.all(
    unique.map(async (step) => {
      try {
        schemas.set(step.model, await provider.getModelSchema(step.modelRef, signal ? { signal } : {}));
      } catch (error) {
        if (error instanceof RunPipelineError && (error.code === 'E_NOT_FOUND' || error.code === 'E_INVALID_INPUT' || error.code === 'E_MODEL_REF')) schemas.set(step.model, error);
        else throw error;
      }
    }),
  );
  return schemas;
}

/** Fetches schemas, runs the preflight (throwing every problem at once) and decides prompt keys. Costs nothing. */
export async function prepareSteps(pipeline: Pipeline, provider: Provider, signal?: AbortSignal): Promise<PreparedStep[]> {
  const schemas = await fetchModelSchemas(pipeline, provider, signal);
  const diagnostics = preflightPipeline(pipeline, schemas);
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) throw new PipelineInvalidError(diagnostics);
  return pipeline.steps.map((step) => {
    const schema = schemas.get(step.model) as ModelSchema;
    return { step, schema, promptKey: resolvePromptKey(step, schema) };
  });
}
