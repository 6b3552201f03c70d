/** Wires `check --remote` to Replicate: fetches each step's model schema through the disk cache. */
import { RunPipelineError } from '../errors.js';
import type { Pipeline } from '../pipeline/types.js';
import type { ModelSchema } from '../providers/types.js';
import type { CliIo } from './io.js';
import { createCliProvider, requireToken, resolveBaseUrl } from './provider.js';

/** Returns the fetcher `check --remote` calls: model as written → its schema, or the error fetching it. */
export function remoteSchemas(io: CliIo, baseUrlFlag?: string) {
  return async (pipeline: Pipeline): Promise<Map<string, ModelSchema | Error>> => {
    const token = requireToken(io, 'check --remote reads each model\'s schema; that costs nothing');
    const provider = createCliProvider(io, { token, baseUrl: resolveBaseUrl(io, baseUrlFlag) });
    const results = new Map<string, ModelSchema | Error>();
    await Promise.all(
      pipeline.steps.map(async (step) => {
        try {
          results.set(step.model, await provider.getModelSchema(step.modelRef));
        } catch (error) {
          // A bad token fails the whole check; a missing model is that step's problem.
          if (!(error instanceof RunPipelineError) || error.code === 'E_AUTH') throw error;
          results.set(step.model, error);
        }
      }),
    );
    return results;
  };
}
