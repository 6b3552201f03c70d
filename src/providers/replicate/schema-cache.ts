/**
 * Model schemas cached on disk between runs. A pinned version never changes, so it is kept for a
 * week; an official model's "latest" can move, so it is kept for an hour.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from '../../atomic-file.js';
import type { ModelSchema } from '../types.js';
import type { SchemaCache } from './provider.js';

const PINNED_TTL_MS = 7 * 24 * 3600_000;
const LATEST_TTL_MS = 3600_000;

/** The cache folder: $RUN_PIPELINE_CACHE_DIR, else $XDG_CACHE_HOME/run-pipeline, else ~/.cache/run-pipeline. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.RUN_PIPELINE_CACHE_DIR) return env.RUN_PIPELINE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'run-pipeline');
}

type Entry = { key: string; expires_at: number; schema: ModelSchema };

/** A SchemaCache in `directory`, keyed by API origin and model reference. Failures to read or write are ignored: the cache only saves requests. */
export function createDiskSchemaCache(directory: string, apiOrigin: string, now: () => number = Date.now): SchemaCache {
  const pathFor = (key: string) => join(directory, 'schemas', `${createHash('sha256').update(`${apiOrigin} ${key}`).digest('hex').slice(0, 32)}.json`);
  return {
    async get(key) {
      try {
        const entry = JSON.parse(await readFile(pathFor(key), 'utf8')) as Entry;
        return entry.key === key && entry.expires_at > now() ? entry.schema : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, schema, pinned) {
      const path = pathFor(key);
      const entry: Entry = { key, expires_at: now() + (pinned ? PINNED_TTL_MS : LATEST_TTL_MS), schema };
      try {
        await writeFileAtomically(path, JSON.stringify(entry));
      } catch {
        // a read-only home or full disk must not fail the run
      }
    },
  };
}
