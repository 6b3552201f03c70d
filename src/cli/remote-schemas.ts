/** Wires `check --remote` to Replicate: fetches each step's model schema through the disk cache. */
import { fetchModelSchemas } from '../run/prepare.js';
import type { RemoteSchemas } from './check-command.js';
import type { CliIo } from './io.js';
import { createCliProvider, requireToken, resolveBaseUrl } from './provider.js';

/** Returns the fetcher `check --remote` calls: model as written → its schema, or the error fetching it. */
export function remoteSchemas(io: CliIo): RemoteSchemas {
  return async (pipeline, options) => {
    const token = requireToken(io, 'check --remote reads each model\'s schema; that costs nothing');
    const provider = createCliProvider(io, { token, baseUrl: resolveBaseUrl(io, options.baseUrl) });
    return fetchModelSchemas(pipeline, provider);
  };
}
