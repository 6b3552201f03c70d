/**
 * Checks a prediction input against a Cog `openapi_schema` the way Replicate does before it
 * queues anything, producing its 422 "Input validation failed" body. Deliberately small: the
 * checks a CLI can get wrong (missing required, null, wrong type, enum, range), not all of JSON Schema.
 */

/** One entry of `invalid_fields` in Replicate's 422 body. */
export type InvalidField = { type: string; field: string; description: string };

type PropertySchema = Record<string, unknown>;

const REFERENCE_PREFIX = '#/components/schemas/';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function componentSchemas(openapiSchema: Record<string, unknown>): Record<string, unknown> {
  const components = openapiSchema['components'];
  const schemas = isRecord(components) ? components['schemas'] : undefined;
  return isRecord(schemas) ? schemas : {};
}

/** Merges `$ref` / `allOf: [{$ref}]` targets into the property, as Cog emits enums that way. */
function resolveProperty(property: PropertySchema, schemas: Record<string, unknown>): PropertySchema {
  const parts: PropertySchema[] = [];
  const reference = property['$ref'];
  if (typeof reference === 'string') parts.push(lookup(reference, schemas));
  const allOf = property['allOf'];
  if (Array.isArray(allOf)) {
    for (const entry of allOf) if (isRecord(entry)) parts.push(resolveProperty(entry, schemas));
  }
  const own = Object.fromEntries(Object.entries(property).filter(([key]) => key !== '$ref' && key !== 'allOf'));
  return Object.assign({}, ...parts, own) as PropertySchema;
}

function lookup(reference: string, schemas: Record<string, unknown>): PropertySchema {
  const target = reference.startsWith(REFERENCE_PREFIX) ? schemas[reference.slice(REFERENCE_PREFIX.length)] : undefined;
  return isRecord(target) ? target : {};
}

/** The type name gojsonschema (which Replicate's messages come from) would give a JSON value. */
function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(expected: string, value: unknown): boolean {
  const actual = jsonTypeOf(value);
  return actual === expected || (expected === 'number' && actual === 'integer');
}

function checkProperty(name: string, value: unknown, schema: PropertySchema): InvalidField | null {
  const field = `input.${name}`;
  const expected = schema['type'];
  if (typeof expected === 'string' && !matchesType(expected, value)) {
    return {
      type: 'invalid_type',
      field,
      description: `Invalid type. Expected: ${expected}, given: ${jsonTypeOf(value)}`,
    };
  }
  const allowed = schema['enum'];
  if (Array.isArray(allowed) && !allowed.includes(value)) {
    const list = allowed.map((entry) => JSON.stringify(entry)).join(', ');
    return { type: 'enum', field, description: `${name} must be one of the following: ${list}` };
  }
  if (typeof value === 'number') {
    const minimum = schema['minimum'];
    const maximum = schema['maximum'];
    if (typeof minimum === 'number' && value < minimum) {
      return { type: 'number_gte', field, description: `Must be greater than or equal to ${minimum}` };
    }
    if (typeof maximum === 'number' && value > maximum) {
      return { type: 'number_lte', field, description: `Must be less than or equal to ${maximum}` };
    }
  }
  return null;
}

/** Every problem with `input` under the version's `components.schemas.Input`; empty when valid. */
export function validateInput(input: unknown, openapiSchema: Record<string, unknown>): InvalidField[] {
  if (!isRecord(input)) {
    return [{ type: 'invalid_type', field: 'input', description: `Invalid type. Expected: object, given: ${jsonTypeOf(input)}` }];
  }
  const schemas = componentSchemas(openapiSchema);
  const inputSchema = schemas['Input'];
  if (!isRecord(inputSchema)) return [];
  const properties = isRecord(inputSchema['properties']) ? inputSchema['properties'] : {};
  const problems: InvalidField[] = [];
  const required = Array.isArray(inputSchema['required']) ? inputSchema['required'] : [];
  for (const name of required) {
    if (typeof name === 'string' && !(name in input)) {
      problems.push({ type: 'required', field: 'input', description: `${name} is required` });
    }
  }
  // Unknown keys pass: Cog ignores inputs its predictor does not declare.
  for (const [name, value] of Object.entries(input)) {
    const property = properties[name];
    if (!isRecord(property)) continue;
    const problem = checkProperty(name, value, resolveProperty(property, schemas));
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Replicate's 422 body for failed input validation. */
export function inputValidationBody(problems: InvalidField[]): Record<string, unknown> {
  return {
    title: 'Input validation failed',
    status: 422,
    detail: problems.map((problem) => `- ${problem.field}: ${problem.description}\n`).join(''),
    invalid_fields: problems,
  };
}
