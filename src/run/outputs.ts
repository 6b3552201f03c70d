/**
 * Decides what a model's output is — text to thread on, or files to save — from the model's
 * published Output schema, falling back to the shape of the value when there is none.
 */

/** A step's output, interpreted. */
export type StepOutput =
  | { kind: 'text'; text: string }
  | { kind: 'files'; urls: string[] }
  | { kind: 'json'; value: unknown; text: string };

const URL_PATTERN = /^(https?:\/\/\S+|data:[^,\s]*,\S*)$/;

function isUriSchema(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const record = schema as Record<string, unknown>;
  if (record.format === 'uri') return true;
  if (record.type === 'array') return isUriSchema(record.items);
  return false;
}

function schemaKnowsShape(schema: unknown): boolean {
  return Boolean(schema && typeof schema === 'object' && ('type' in schema || 'format' in schema));
}

/** Interprets a succeeded prediction's output. */
export function interpretOutput(output: unknown, outputSchema?: Record<string, unknown>): StepOutput {
  const known = schemaKnowsShape(outputSchema);
  const filesBySchema = known && isUriSchema(outputSchema);
  const looksLikeFiles = (values: string[]) => values.length > 0 && values.every((value) => URL_PATTERN.test(value));

  if (output === null || output === undefined) return { kind: 'text', text: '' };
  if (typeof output === 'string') {
    if (filesBySchema || (!known && looksLikeFiles([output]))) return { kind: 'files', urls: [output] };
    return { kind: 'text', text: output };
  }
  if (Array.isArray(output) && output.every((item) => typeof item === 'string')) {
    const values = output as string[];
    if (filesBySchema || (!known && looksLikeFiles(values))) return { kind: 'files', urls: values };
    return { kind: 'text', text: values.join('') };
  }
  return { kind: 'json', value: output, text: JSON.stringify(output) };
}

/**
 * True when the model's published Output is text (a string, or a list of strings joined), the
 * case where output can be shown as it streams and watched for stop sequences. Without a schema
 * we cannot tell text from file URLs, so such steps are only cut after they finish.
 */
export function producesText(outputSchema?: Record<string, unknown>): boolean {
  if (!schemaKnowsShape(outputSchema) || isUriSchema(outputSchema)) return false;
  const schema = outputSchema as Record<string, unknown>;
  if (schema.type === 'string') return true;
  const items = schema.items as Record<string, unknown> | undefined;
  return schema.type === 'array' && items?.type === 'string';
}
