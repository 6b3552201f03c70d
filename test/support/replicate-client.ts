/**
 * Small helpers for tests that talk to the fake through the real `replicate` client: a client
 * wired to the server, the JSON body out of an ApiError, and polling until a condition holds.
 */
import Replicate from 'replicate';
import type { ReplicateServer } from './replicate-server.js';

/** A real client pointed at the fake; file outputs stay plain URL strings, as the CLI uses them. */
export function createTestClient(server: Pick<ReplicateServer, 'baseUrl' | 'token'>, auth = server.token): Replicate {
  return new Replicate({ auth, baseUrl: server.baseUrl, useFileOutput: false });
}

/**
 * The response body of a replicate ApiError. The client has already consumed the body, so it is
 * parsed out of the message (`Request to … failed with status N …: <body>.`).
 */
export function apiErrorBody(error: unknown): { status: number; body: unknown } {
  if (!(error instanceof Error) || error.name !== 'ApiError') throw error;
  const match = /failed with status (\d+)[^:]*: ([\s\S]*)\.$/.exec(error.message);
  if (!match) throw error;
  const [, status = '0', text = ''] = match;
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: keep the raw text, which is what the server sent.
  }
  return { status: Number(status), body };
}

/** Polls `probe` every `intervalMs` until it returns a value that is not undefined, or throws after `timeoutMs`. */
export async function waitUntil<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 2000, intervalMs = 5 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waitUntil: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
