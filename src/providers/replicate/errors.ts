/**
 * Turns whatever the `replicate` client or fetch threw into one RemoteError with a stable code,
 * a one-line message naming the operation, a hint, and whether retrying can help.
 */
import { RemoteError, RunPipelineError, type ErrorCode } from '../../errors.js';

type ApiErrorLike = Error & { response?: { status: number; statusText?: string; headers?: Headers } };

function isApiError(error: unknown): error is ApiErrorLike {
  // The client does not export ApiError at runtime; its name is the stable marker.
  return error instanceof Error && error.name === 'ApiError';
}

/** The HTTP body the client folded into its ApiError message. */
function bodyFromMessage(message: string): string {
  const match = /failed with status \d+[^:]*: ([\s\S]*)\.$/.exec(message);
  return match?.[1] ?? '';
}

/** Replicate's problem-details `detail` (or `title`), else the raw body. */
function detailFromBody(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      if (typeof record.detail === 'string') return record.detail.trim();
      if (typeof record.title === 'string') return record.title;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().slice(0, 300);
}

/**
 * Seconds to wait before retrying a 429: the Retry-After header (seconds or HTTP date), else the
 * "resets in ~30s" / "available in 1 second" that Replicate writes in the body.
 */
export function parseRetryAfter(header: string | null | undefined, body: string, now = Date.now()): number | undefined {
  if (header) {
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, (date - now) / 1000);
  }
  const match = /(?:resets in|available in)\s*~?\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|second|seconds)?\b/i.exec(body);
  if (match?.[1]) return match[2]?.toLowerCase() === 'ms' ? Number(match[1]) / 1000 : Number(match[1]);
  return undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

/** The low-level network code (ECONNREFUSED, UND_ERR_SOCKET, ...) behind a fetch failure, if any. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  if (error instanceof TypeError && /fetch failed|terminated|socket/i.test(error.message)) return 'UND_ERR_SOCKET';
  return undefined;
}

/** Whether the request surely never reached the server (safe to retry a create). */
export function isConnectionNeverMade(error: { cause?: unknown }): boolean {
  const code = networkErrorCode(error.cause);
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function classifyStatus(status: number): { code: ErrorCode; retryable: boolean; hint?: string } {
  if (status === 401 || status === 403) {
    return {
      code: 'E_AUTH',
      retryable: false,
      hint: 'check REPLICATE_API_TOKEN: create a token at https://replicate.com/account/api-tokens',
    };
  }
  if (status === 402) return { code: 'E_AUTH', retryable: false, hint: 'add credit or a payment method to your Replicate account' };
  if (status === 404) return { code: 'E_NOT_FOUND', retryable: false, hint: 'check the model name and version in the pipeline' };
  if (status === 422) return { code: 'E_INVALID_INPUT', retryable: false, hint: 'check the step\'s model_kwargs against the model\'s inputs (run-pipeline check --remote)' };
  if (status === 429) return { code: 'E_RATE_LIMIT', retryable: true };
  if (status === 408 || status >= 500) return { code: 'E_HTTP', retryable: true };
  return { code: 'E_HTTP', retryable: false };
}

/** True for the errors fetch and AbortSignal raise when a call is aborted. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** Classifies an error thrown while talking to Replicate during `operation` ("creating a prediction for a/b"). */
export function classifyError(error: unknown, operation: string): RunPipelineError {
  if (error instanceof RunPipelineError) return error;
  if (isApiError(error) && error.response) {
    const status = error.response.status;
    const body = bodyFromMessage(error.message);
    const detail = detailFromBody(body);
    const { code, retryable, hint } = classifyStatus(status);
    const retryAfterSeconds = status === 429 ? parseRetryAfter(error.response.headers?.get('retry-after'), body) : undefined;
    return new RemoteError(code, `${operation}: Replicate answered ${status}${detail ? `: ${detail}` : ''}`, {
      statusCode: status,
      responseBody: body,
      retryable,
      cause: error,
      ...(hint ? { hint } : {}),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  const networkCode = networkErrorCode(error);
  if (networkCode) {
    return new RemoteError('E_NETWORK', `${operation}: network error (${networkCode})`, {
      retryable: true,
      cause: error,
      hint: 'check your connection; the request is retried with backoff',
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RemoteError('E_HTTP', `${operation}: ${message}`, { retryable: false, cause: error });
}
