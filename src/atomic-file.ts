/**
 * Files that readers see whole or not at all: written to a temporary file beside the target and
 * renamed over it. Every file the tool leaves behind (outputs, run.json, results, reports, caches)
 * goes through here, so none is ever half-written, whatever happens mid-write.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';

function temporaryPathFor(path: string): string {
  return `${path}.${randomBytes(4).toString('hex')}.part`;
}

/** Writes `data` to `path` atomically, creating its folder; a failed write leaves no temporary file. */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Replaces `path` with the lines `write` produces, streamed (for files too big to hold as one string). */
export async function replaceFileByLines(path: string, write: (line: (text: string) => void) => Promise<void> | void): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  const out = createWriteStream(temporary);
  try {
    await write((text) => void out.write(`${text}\n`));
    out.end();
    await finished(out);
    await rename(temporary, path);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
