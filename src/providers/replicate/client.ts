/**
 * Builds the `replicate` client the way this tool needs it: plain-string outputs, an explicit
 * base URL, and a fetch that makes exactly one HTTP request per logical call.
 */
import Replicate from 'replicate';

/** The API base used when neither --base-url nor REPLICATE_BASE_URL is set. */
export const DEFAULT_BASE_URL = 'https://api.replicate.com/v1';

/** Options for {@link createReplicateClient}. */
export type ReplicateClientOptions = {
  token: string;
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  userAgent?: string;
};

/**
 * Appends `/v1` to a base URL that has no path (`https://host` → `https://host/v1`), the
 * convention REPLICATE_BASE_URL follows in Replicate's Python and Go tools; a URL with a path
 * is used as given.
 */
export function normalizeBaseUrl(value: string): string {
  const url = new URL(value);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path === '' ? '/v1' : path;
  return url.toString().replace(/\/+$/, '');
}

type FetchInit = Parameters<typeof globalThis.fetch>[1];
type Settled = { response: { status: number; statusText: string; headers: Headers; body: ArrayBuffer } } | { error: unknown };

/**
 * replicate 1.4.0 retries 429s (and 5xx on GET, and any network error) up to six times with no
 * delay and ignores Retry-After, so one throttled call becomes six requests in milliseconds.
 * The client calls fetch again with the very same `init` object on each of those retries, so we
 * answer repeats of a failed call from memory: one logical call is one HTTP request, and our own
 * retry policy (with real backoff and Retry-After) decides what happens next.
 */
export function createSingleAttemptFetch(baseFetch: typeof globalThis.fetch): typeof globalThis.fetch {
  const settledCalls = new WeakMap<object, Settled>();
  const replay = (settled: Settled): Response => {
    if ('error' in settled) throw settled.error;
    const { status, statusText, headers, body } = settled.response;
    return new Response(body.slice(0), { status, statusText, headers });
  };
  return async (input, init?: FetchInit) => {
    const key = init as object | undefined;
    const earlier = key ? settledCalls.get(key) : undefined;
    if (earlier) return replay(earlier);
    let settled: Settled;
    try {
      const response = await baseFetch(input, init);
      if (response.ok || !key) return response;
      const body = await response.arrayBuffer();
      settled = { response: { status: response.status, statusText: response.statusText, headers: response.headers, body } };
    } catch (error) {
      if (!key) throw error;
      settled = { error };
    }
    settledCalls.set(key, settled);
    return replay(settled);
  };
}

/** Creates a `replicate` client with `useFileOutput: false` and single-attempt requests. */
export function createReplicateClient(options: ReplicateClientOptions): Replicate {
  return new Replicate({
    auth: options.token,
    baseUrl: normalizeBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL),
    useFileOutput: false,
    fetch: createSingleAttemptFetch(options.fetch ?? globalThis.fetch),
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  });
}
