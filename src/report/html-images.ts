/**
 * Saved image files as data: URIs for the HTML report, within a per-image and a per-page budget so
 * a batch of thousands of images does not become a page no browser can open. An image over budget,
 * missing, or not a recognised raster format is linked by its path relative to the report instead.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import type { FileRecord } from '../run/record.js';

/** The largest single image embedded, in bytes. */
export const HTML_IMAGE_LIMIT_BYTES = 2 * 1024 * 1024;
/** The most image bytes embedded in one page; later images are linked. */
export const HTML_EMBEDDED_LIMIT_BYTES = 64 * 1024 * 1024;

/** How one saved file appears on the page. */
export type ImageView =
  | { kind: 'embedded'; dataUri: string; href: string; bytes: number }
  | { kind: 'linked'; href: string; reason: 'too-large' | 'budget-spent' | 'missing' | 'not-an-image' };

/** Options for {@link createImageEmbedder}. */
export type ImageEmbedderOptions = {
  reportPath: string;
  /** What relative paths in the records are relative to (the batch's working directory). */
  baseDirectory: string;
  maxImageBytes: number;
  maxEmbeddedBytes: number;
};

/** Reads the first bytes to name the format: the record's content type came from a remote server and is not trusted. */
function sniffImageType(bytes: Uint8Array): string | null {
  const startsWith = (...prefix: number[]) => prefix.every((value, index) => bytes[index] === value);
  if (startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (startsWith(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (startsWith(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (startsWith(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return 'image/webp';
  return null;
}

/** A link from the report's folder to the file, as a URL path (forward slashes, each segment encoded). */
export function relativeHref(reportPath: string, baseDirectory: string, filePath: string): string {
  const from = dirname(resolve(baseDirectory, reportPath));
  const path = relative(from, resolve(baseDirectory, filePath));
  return path.split(sep).map(encodeURIComponent).join('/');
}

/** Returns a function that decides, and loads, each file's view while keeping count of the page budget. */
export function createImageEmbedder(options: ImageEmbedderOptions): (file: FileRecord) => Promise<ImageView> {
  let embeddedBytes = 0;
  return async (file) => {
    const href = relativeHref(options.reportPath, options.baseDirectory, file.path);
    // Audio, video and text files are linked without reading them; the bytes decide for the rest.
    if (!file.content_type.startsWith('image/') && !/\.(png|jpe?g|gif|webp)$/i.test(file.path)) return { kind: 'linked', href, reason: 'not-an-image' };
    const absolute = resolve(options.baseDirectory, file.path);
    let size: number;
    try {
      const info = await stat(absolute);
      if (!info.isFile()) return { kind: 'linked', href, reason: 'missing' };
      size = info.size;
    } catch {
      return { kind: 'linked', href, reason: 'missing' };
    }
    if (size > options.maxImageBytes) return { kind: 'linked', href, reason: 'too-large' };
    if (embeddedBytes + size > options.maxEmbeddedBytes) return { kind: 'linked', href, reason: 'budget-spent' };
    let bytes: Buffer;
    try {
      bytes = await readFile(absolute);
    } catch {
      return { kind: 'linked', href, reason: 'missing' };
    }
    // The file may have grown since stat; the budget is about what we embed.
    if (bytes.byteLength > options.maxImageBytes) return { kind: 'linked', href, reason: 'too-large' };
    if (embeddedBytes + bytes.byteLength > options.maxEmbeddedBytes) return { kind: 'linked', href, reason: 'budget-spent' };
    const type = sniffImageType(bytes);
    if (type === null) return { kind: 'linked', href, reason: 'not-an-image' };
    embeddedBytes += bytes.byteLength;
    return { kind: 'embedded', dataUri: `data:${type};base64,${bytes.toString('base64')}`, href, bytes: bytes.byteLength };
  };
}
