/** `--shard i/n`: a stable partition of rows by key, so n CI jobs split one inputs file between them. */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** One shard of n, 1-based. */
export type Shard = { index: number; count: number };

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError('E_USAGE', `--shard "${text}" is not i/n with 1 ≤ i ≤ n`, { hint: 'for the second of four CI jobs: --shard 2/4' });
  }
  return { index, count };
}

/** The 1-based shard a key belongs to; depends on the key alone, so it never changes between runs. */
export function shardOf(key: string, count: number): number {
  const digest = createHash('sha256').update(key).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** True when `key` is in `shard` (always, without one). */
export function inShard(key: string, shard: Shard | null | undefined): boolean {
  return !shard || shard.count === 1 || shardOf(key, shard.count) === shard.index;
}
