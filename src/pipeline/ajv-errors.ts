/**
 * Ajv errors in plain words. Ajv reports in JSON-Schema terms (`must NOT have additional
 * properties`, one error per failed branch of anyOf); people editing YAML need "unknown key
 * "model_kwarg" (did you mean "model_kwargs"?)" at that key. This module translates and
 * deduplicates; callers decide the code and the position.
 */
import type { ErrorObject } from 'ajv';
import { didYouMeanSuffix } from '../did-you-mean.js';

/** One translated problem: where (a path into the checked value) and what. */
export type SchemaProblem = {
  path: (string | number)[];
  /** Point at the key of the last path segment rather than its value. */
  part: 'key' | 'value';
  keyword: string;
  message: string;
  hint?: string;
};

/** Splits an Ajv instancePath (`/steps/0/model`) into segments, numbers for list indexes. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

/** `steps[2].model_kwargs.temperature` for a path; `the file` for the root. */
export function pathLabel(path: readonly (string | number)[]): string {
  let label = '';
  for (const segment of path) {
    if (typeof segment === 'number') label += `[${segment}]`;
    else label += /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? (label === '' ? segment : `.${segment}`) : `[${JSON.stringify(segment)}]`;
  }
  return label === '' ? 'the file' : label;
}

/** A noun phrase for a JSON Schema type. */
function typeNoun(type: string): string {
  switch (type) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a map of keys';
    case 'null':
      return 'null';
    default:
      return type;
  }
}

/** A noun phrase for the value the user actually wrote. */
function valueNoun(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'boolean') return `${value}`;
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a decimal number';
  return 'a string';
}

/** Reads the value at `path` inside `root`. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The subschema at a JSON pointer like `#/definitions/step/additionalProperties`. */
function schemaAt(root: unknown, schemaPath: string): unknown {
  return valueAt(root, schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~')));
}

function typeProblem(wanted: string[], actual: unknown): { message: string; hint?: string } {
  const nouns = wanted.map(typeNoun);
  const expected = nouns.length > 1 ? `${nouns.slice(0, -1).join(', ')} or ${nouns.at(-1)}` : nouns[0] ?? 'another type';
  const message = `must be ${expected}, not ${valueNoun(actual)}`;
  if (wanted.includes('string') && (typeof actual === 'number' || typeof actual === 'boolean')) {
    return { message: `must be ${expected} (quote the value)`, hint: `write it in quotes: "${String(actual)}"` };
  }
  if (wanted.includes('string') && actual !== null && typeof actual === 'object') {
    return { message, hint: 'a value that starts with { or [ must be quoted, e.g. template: "{{input}}", or use a block: template: |' };
  }
  if (wanted.includes('array') && actual !== null && typeof actual === 'object') {
    return { message, hint: 'start each list item with "- "' };
  }
  return { message };
}

/** Translates Ajv errors for `value` validated against `schema` into deduplicated plain problems. */
export function translateAjvErrors(errors: readonly ErrorObject[], value: unknown, schema: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const concrete = errors.filter((error) => !['anyOf', 'oneOf', 'if', 'propertyNames'].includes(error.keyword));
  const chosen = concrete.length > 0 ? concrete : errors;
  for (const error of chosen) {
    const path = pointerToPath(error.instancePath);
    const params = error.params as Record<string, unknown>;
    const actual = valueAt(value, path);
    const propertyName = (error as { propertyName?: string }).propertyName;
    if (propertyName !== undefined) {
      problems.push({ path: [...path, propertyName], part: 'key', keyword: 'propertyNames', message: `"${propertyName}" is not a valid name`, hint: 'use letters, digits and _, not starting with a digit' });
      continue;
    }
    switch (error.keyword) {
      case 'required':
        problems.push({ path, part: 'value', keyword: 'required', message: `missing required key "${String(params['missingProperty'])}"` });
        break;
      case 'additionalProperties': {
        const key = String(params['additionalProperty']);
        const parent = schemaAt(schema, error.schemaPath.replace(/\/additionalProperties$/, '')) as { properties?: Record<string, unknown> } | undefined;
        const allowed = Object.keys(parent?.properties ?? {});
        const problem: SchemaProblem = { path: [...path, key], part: 'key', keyword: 'additionalProperties', message: `unknown key "${key}"${didYouMeanSuffix(key, allowed)}` };
        if (key === '<<') problem.message = 'merge keys (<<) are not supported';
        if (allowed.length > 0) problem.hint = `allowed keys here: ${allowed.join(', ')}`;
        problems.push(problem);
        break;
      }
      case 'type': {
        const wanted = Array.isArray(params['type']) ? (params['type'] as string[]) : String(params['type']).split(',');
        problems.push({ path, part: 'value', keyword: 'type', ...typeProblem(wanted, actual) });
        break;
      }
      case 'enum': {
        const allowed = (params['allowedValues'] as unknown[]).map((item) => JSON.stringify(item));
        const suggestion = typeof actual === 'string' ? didYouMeanSuffix(actual, (params['allowedValues'] as unknown[]).map(String)) : '';
        problems.push({ path, part: 'value', keyword: 'enum', message: `must be one of ${allowed.join(', ')}${suggestion}` });
        break;
      }
      case 'const':
        problems.push({ path, part: 'value', keyword: 'const', message: `must be ${JSON.stringify(params['allowedValue'])}` });
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' }[error.keyword];
        problems.push({ path, part: 'value', keyword: error.keyword, message: `must be ${words} ${String(params['limit'])}` });
        break;
      }
      case 'minLength':
        problems.push({ path, part: 'value', keyword: 'minLength', message: params['limit'] === 1 ? 'must not be empty' : `must be at least ${String(params['limit'])} characters long` });
        break;
      case 'maxLength':
        problems.push({ path, part: 'value', keyword: 'maxLength', message: `must be at most ${String(params['limit'])} characters long` });
        break;
      case 'minItems':
        problems.push({ path, part: 'value', keyword: 'minItems', message: `must list at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}` });
        break;
      case 'maxItems':
        problems.push({ path, part: 'value', keyword: 'maxItems', message: `must list at most ${String(params['limit'])} items` });
        break;
      case 'multipleOf':
        problems.push({ path, part: 'value', keyword: 'multipleOf', message: `must be a multiple of ${String(params['multipleOf'])}` });
        break;
      case 'pattern':
        problems.push({ path, part: 'value', keyword: 'pattern', message: 'has the wrong format' });
        break;
      default:
        problems.push({ path, part: 'value', keyword: error.keyword, message: error.message ?? 'is not allowed here' });
    }
  }
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${JSON.stringify(problem.path)}|${problem.part}|${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
