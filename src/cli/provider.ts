/** The Replicate provider as the CLI builds it: token from the environment, base URL, disk schema cache. */
import { UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CreateGate } from '../providers/types.js';
import { DEFAULT_BASE_URL, normalizeBaseUrl } from '../providers/replicate/client.js';
import { createReplicateProvider } from '../providers/replicate/provider.js';
import { createDiskSchemaCache, defaultCacheDir } from '../providers/replicate/schema-cache.js';
import type { CliIo } from './io.js';

/** Reads REPLICATE_API_TOKEN, or explains how to set it. */
export function requireToken(io: CliIo, purpose: string): string {
  const token = io.env.REPLICATE_API_TOKEN?.trim();
  if (!token) {
    throw new UsageError('E_CONFIG', `REPLICATE_API_TOKEN is not set (${purpose})`, {
      hint: 'create a token at https://replicate.com/account/api-tokens, then: export REPLICATE_API_TOKEN=r8_...',
    });
  }
  return token;
}

/** The API base from --base-url, else REPLICATE_BASE_URL, else Replicate's; `/v1` appended to a bare host. */
export function resolveBaseUrl(io: CliIo, flag: string | undefined): string {
  const value = flag ?? (io.env.REPLICATE_BASE_URL?.trim() || DEFAULT_BASE_URL);
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
    return normalizeBaseUrl(value);
  } catch {
    throw new UsageError('E_USAGE', `the API base URL "${value}" is not an http(s) URL`, { hint: 'for example --base-url https://api.replicate.com/v1' });
  }
}

/** REPLICATE_POLL_INTERVAL (seconds, as Replicate's Python client reads it) in ms; default 0.5 s. */
export function pollIntervalMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.REPLICATE_POLL_INTERVAL);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 500;
}

/** Builds the provider for a command. */
export function createCliProvider(io: CliIo, options: { token: string; baseUrl: string; logger?: Logger; createGate?: CreateGate }) {
  const schemaCache = createDiskSchemaCache(defaultCacheDir(io.env), new URL(options.baseUrl).origin);
  return createReplicateProvider({
    token: options.token,
    baseUrl: options.baseUrl,
    schemaCache,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.createGate ? { createGate: options.createGate } : {}),
  });
}
