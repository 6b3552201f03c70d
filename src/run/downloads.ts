/**
 * Saves a step's output files right after the step, because Replicate deletes them after about
 * an hour. Each file is written to a `.part` file and renamed, so a file that exists is whole.
 */
import { extname, join } from 'node:path';
import { writeFileAtomically } from '../atomic-file.js';
import { RemoteError } from '../errors.js';
import { classifyError } from '../providers/replicate/errors.js';
import { withRetry, type RetryOptions } from '../providers/replicate/retry.js';

/** A saved output file: where it is now and where it came from. */
export type SavedFile = { path: string; url: string; bytes: number; contentType: string };

/** Options for {@link downloadFiles}. */
export type DownloadOptions = {
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
  retry?: Omit<RetryOptions, 'signal'>;
  /** Authorization is sent only to this origin (Replicate's API, for Files API URLs), never to file hosts. */
  authorizedOrigin?: string;
  token?: string;
};

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'image/gif': '.gif',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'audio/mpeg': '.mp3',
  'video/mp4': '.mp4',
  'text/plain': '.txt',
  'application/json': '.json',
};

function extensionFor(url: string, contentType: string): string {
  const known = EXTENSIONS[contentType.split(';')[0]?.trim().toLowerCase() ?? ''];
  if (known) return known;
  if (url.startsWith('data:')) return '.bin';
  const fromPath = extname(new URL(url).pathname).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(fromPath) ? fromPath : '.bin';
}

async function fetchBytes(url: string, options: DownloadOptions): Promise<{ bytes: Uint8Array; contentType: string }> {
  const fetchFunction = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = {};
  if (options.token && options.authorizedOrigin && !url.startsWith('data:') && new URL(url).origin === options.authorizedOrigin) {
    headers.Authorization = `Bearer ${options.token}`;
  }
  return withRetry(
    async () => {
      let response: Response;
      try {
        response = await fetchFunction(url, { headers, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        throw classifyError(error, `downloading ${url}`);
      }
      if (!response.ok) {
        await response.body?.cancel();
        const retryable = response.status === 429 || response.status >= 500;
        throw new RemoteError('E_DOWNLOAD', `downloading ${url}: the file host answered ${response.status}`, {
          statusCode: response.status,
          retryable,
          hint: response.status === 404 || response.status === 410 ? 'Replicate removes output files about an hour after a prediction' : undefined,
        });
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { bytes, contentType: response.headers.get('content-type') ?? 'application/octet-stream' };
    },
    { ...options.retry, ...(options.signal ? { signal: options.signal } : {}) },
  );
}

/** Downloads `urls` into `directory` as `<baseName>.<ext>` (or `<baseName>-<i>.<ext>` for several). */
export async function downloadFiles(urls: string[], directory: string, baseName: string, options: DownloadOptions = {}): Promise<SavedFile[]> {
  const saved: SavedFile[] = [];
  for (const [index, url] of urls.entries()) {
    const { bytes, contentType } = await fetchBytes(url, options);
    const name = `${urls.length === 1 ? baseName : `${baseName}-${index}`}${extensionFor(url, contentType)}`;
    const path = join(directory, name);
    await writeFileAtomically(path, bytes);
    saved.push({ path, url, bytes: bytes.byteLength, contentType });
  }
  return saved;
}
