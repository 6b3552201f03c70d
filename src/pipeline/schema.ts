/**
 * Structural validation against schemas/pipeline.schema.json, the single definition of the format
 * (editors read the same file). Problems come back as diagnostics at the offending key or value.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../errors.js';
import { pathLabel, translateAjvErrors, valueAt } from './ajv-errors.js';
import type { SchemaProblem } from './ajv-errors.js';
import type { YamlLocator } from './yaml-source.js';

/** Where the schema lives, relative to this module both in src/ (tsx) and dist/ (built). */
const SCHEMA_URL = new URL('../../schemas/pipeline.schema.json', import.meta.url);

let cached: { schema: unknown; validate: ValidateFunction } | undefined;

function compiled(): { schema: unknown; validate: ValidateFunction } {
  if (cached === undefined) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    cached = { schema, validate: ajv.compile(schema) };
  }
  return cached;
}

/** Field-specific words for `pattern` failures; the model reference is explained by the semantic pass. */
function refinePattern(problem: SchemaProblem, value: unknown): SchemaProblem | undefined {
  const field = problem.path.at(-1);
  const shown = JSON.stringify(value);
  if (field === 'model' && problem.path[0] === 'steps') return undefined;
  if (field === 'id') {
    return { ...problem, message: `step id ${shown} must be letters, digits and _ (not starting with a digit)`, hint: 'later templates refer to it as {{id}}, so it must be a plain name like company_name' };
  }
  if (field === 'timeout') {
    return { ...problem, message: `timeout ${shown} must be a number of seconds or a duration like 90s, 5m, 1h30m` };
  }
  if (field === 'prompt_key') {
    return { ...problem, message: `prompt_key ${shown} must be the name of a model input (letters, digits and _)` };
  }
  return problem;
}

/** Validates the plain value of a pipeline document; returns a diagnostic per distinct problem. */
export function validateStructure(value: unknown, locator: YamlLocator): Diagnostic[] {
  const { schema, validate } = compiled();
  if (validate(value)) return [];
  const diagnostics: Diagnostic[] = [];
  for (const raw of translateAjvErrors(validate.errors ?? [], value, schema)) {
    const problem = raw.keyword === 'pattern' ? refinePattern(raw, valueAt(value, raw.path)) : raw;
    if (problem === undefined) continue;
    const label = problem.part === 'key' ? pathLabel(problem.path.slice(0, -1)) : pathLabel(problem.path);
    const prefix = problem.keyword === 'pattern' ? '' : `${label}: `;
    const diagnostic: Diagnostic = {
      code: 'E_SCHEMA',
      severity: 'error',
      message: `${prefix}${problem.message}`,
      location: locator.locate(problem.path, problem.part),
    };
    if (problem.hint !== undefined) diagnostic.hint = problem.hint;
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}
