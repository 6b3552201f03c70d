/**
 * Builds `openapi_schema` documents the way Cog generates them, so fake models expose the same
 * shapes (x-order, allOf-wrapped enums, Output) a CLI has to cope with on Replicate.
 */

/** One input of a Cog predictor; `choices` becomes a separate enum schema referenced through allOf. */
export type CogInput = {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean';
  description: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  format?: 'uri';
  choices?: readonly (string | number)[];
  required?: boolean;
};

function titleCase(name: string): string {
  return name
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** Builds the whole Cog OpenAPI document for inputs in predictor-signature order and an Output schema. */
export function cogSchema(inputs: readonly CogInput[], output: Record<string, unknown>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  inputs.forEach((input, order) => {
    const property: Record<string, unknown> = { title: titleCase(input.name) };
    if (input.choices) {
      // Cog names the enum schema after the input and points at it with allOf, not inline `enum`.
      schemas[input.name] = {
        title: input.name,
        enum: [...input.choices],
        type: input.type,
        description: 'An enumeration.',
      };
      property['allOf'] = [{ $ref: `#/components/schemas/${input.name}` }];
    } else {
      property['type'] = input.type;
    }
    if (input.format) property['format'] = input.format;
    if (input.default !== undefined) property['default'] = input.default;
    if (input.minimum !== undefined) property['minimum'] = input.minimum;
    if (input.maximum !== undefined) property['maximum'] = input.maximum;
    property['x-order'] = order;
    property['description'] = input.description;
    properties[input.name] = property;
  });
  const required = inputs.filter((input) => input.required).map((input) => input.name);
  return {
    openapi: '3.0.2',
    info: { title: 'Cog', version: '0.1.0' },
    paths: {},
    components: {
      schemas: {
        Input: { title: 'Input', type: 'object', ...(required.length > 0 ? { required } : {}), properties },
        Output: { title: 'Output', ...output },
        ...schemas,
      },
    },
  };
}

/** Cog's Output for `ConcatenateIterator[str]`: tokens to be joined with "". */
export const TOKEN_STREAM_OUTPUT = {
  type: 'array',
  items: { type: 'string' },
  'x-cog-array-type': 'iterator',
  'x-cog-array-display': 'concatenate',
} as const;

/** Cog's Output for `List[Path]`: an array of file URLs. */
export const FILE_LIST_OUTPUT = { type: 'array', items: { type: 'string', format: 'uri' } } as const;

/**
 * Splits text into word tokens that keep their leading whitespace, as LLM tokens do
 * ("Name for: x" → "Name", " for:", " x"); joining the tokens with "" gives the text back exactly.
 */
export function tokenize(text: string): string[] {
  const tokens = text.match(/\s*\S+/g) ?? [];
  const trailing = text.slice(tokens.join('').length);
  if (trailing === '') return tokens;
  const last = tokens.pop();
  return [...tokens, `${last ?? ''}${trailing}`];
}
