/**
 * Replicate's exact error bodies and the small HTTP chores (JSON replies, request bodies, the
 * `Prefer` and `Cancel-After` headers) shared by the routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Error bodies as Replicate sends them (REFERENCE §2.6), so clients are tested on real shapes. */
export const ERROR_BODIES = {
  unauthenticated: { title: 'Unauthenticated', detail: 'You did not pass an authentication token', status: 401 },
  invalidToken: { title: 'Unauthenticated', detail: 'Invalid or expired API token.', status: 401 },
  notFound: { detail: 'The requested resource could not be found.', status: 404 },
  invalidVersion: {
    title: 'Invalid version or not permitted',
    detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
    status: 422,
  },
  invalidJson: { title: 'Invalid request', detail: 'The request body is not valid JSON.', status: 400 },
} as const;

/** Writes a JSON response unless the client has already gone away. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.destroyed || response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Reads the whole body as text (requests are small JSON documents). */
export async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** Parses JSON leniently for recording: undefined for an empty body, the raw text if it is not JSON. */
export function parseBody(rawBody: string): unknown {
  if (rawBody === '') return undefined;
  try {
    return JSON.parse(rawBody) as unknown;
  } catch {
    return rawBody;
  }
}

const DURATION = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

/**
 * Parses a `Cancel-After` value (`30s`, `5m`, `1h30m45s`, bare number = seconds) to ms. Also takes
 * `ms` and values under Replicate's 5 s minimum, because tests need deadlines in milliseconds.
 */
export function parseCancelAfter(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  const match = DURATION.exec(text);
  if (!match || text === '') return null;
  const [, hours, minutes, seconds, milliseconds] = match;
  return (
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Number(milliseconds ?? 0)
  );
}

/**
 * How long `Prefer: wait[=n]` asks to hold the create response, in ms; null without the header.
 * Bare `wait` means the API's 60 s; n above 60 (the client does not clamp) is treated as 60.
 */
export function parsePreferWait(value: string | undefined): number | null {
  if (value === undefined) return null;
  const match = /^\s*wait(?:\s*=\s*(\d+))?\s*$/.exec(value);
  if (!match) return null;
  const seconds = match[1] === undefined ? 60 : Math.min(60, Math.max(1, Number(match[1])));
  return seconds * 1000;
}

/** The single value of a header, or undefined; repeated headers keep their first value. */
export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
