/** Model references: `owner/name` (an official model, latest version) or `owner/name:version`. */
import type { ModelRef } from './types.js';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[0-9a-f]{64}$/;

/** Parses `owner/name` or `owner/name:version`; undefined when the text is not a valid reference. */
export function parseModelRef(text: string): ModelRef | undefined {
  return explainModelRef(text).modelRef;
}

/**
 * Parses a model reference and, when it is malformed, says what is wrong in plain words.
 * Exactly one of `modelRef` and `problem` is set.
 */
export function explainModelRef(text: string): { modelRef?: ModelRef; problem?: string; hint?: string } {
  const hint = 'write owner/name (e.g. meta/meta-llama-3-8b-instruct) or owner/name:version with the 64-character version id from the model\'s API page';
  const trimmed = text.trim();
  if (trimmed !== text) return { problem: `model "${text}" has spaces around it`, hint: 'remove the spaces' };
  const colon = text.indexOf(':');
  const path = colon === -1 ? text : text.slice(0, colon);
  const version = colon === -1 ? undefined : text.slice(colon + 1);
  const parts = path.split('/');
  if (parts.length !== 2) {
    return { problem: `model "${text}" must be owner/name${parts.length < 2 ? ' (the owner or the name is missing)' : ' (too many "/")'}`, hint };
  }
  const [owner = '', name = ''] = parts;
  if (!SEGMENT.test(owner)) return { problem: `model "${text}" has an invalid owner "${owner}"`, hint };
  if (!SEGMENT.test(name)) return { problem: `model "${text}" has an invalid name "${name}"`, hint };
  if (version === undefined) return { modelRef: { owner, name } };
  if (version === '') return { problem: `model "${text}" has an empty version after ":"`, hint: 'remove the ":" to run the latest version, or paste the full version id' };
  if (!VERSION.test(version)) {
    const detail = /^[0-9a-fA-F]+$/.test(version)
      ? version.length === 64 ? 'must be lowercase hex' : `is ${version.length} characters long, not 64`
      : 'must be 64 hexadecimal characters';
    return { problem: `model "${text}": version ${detail}`, hint };
  }
  return { modelRef: { owner, name, version } };
}
