/**
 * Passes a step's stop sequences to the model itself when its schema has a `stop_sequences`
 * input, so generation ends on the server even before we see the stop. Llama 3 takes them as ONE
 * comma-separated string; a sequence containing a comma cannot be written that way, and the
 * model's own default stops (`<|end_of_text|>,<|eot_id|>`) must stay or it would run on past the
 * end of its answer.
 */
import type { ModelSchema } from '../providers/types.js';

/** The model input that carries stop sequences, where Replicate's text models have it. */
export const STOP_INPUT = 'stop_sequences';

function stopProperty(schema: ModelSchema): Record<string, unknown> | undefined {
  const properties = (schema.input as { properties?: Record<string, unknown> }).properties;
  const property = properties?.[STOP_INPUT];
  return property && typeof property === 'object' ? (property as Record<string, unknown>) : undefined;
}

/**
 * The input with `stop_sequences` added when the schema takes it as a string, the user did not
 * set it, and no stop contains a comma; otherwise the input unchanged. Client-side stopping
 * applies either way.
 */
export function withServerStops(input: Record<string, unknown>, stops: readonly string[], schema: ModelSchema): Record<string, unknown> {
  const wanted = stops.filter((stop) => stop !== '');
  if (wanted.length === 0 || STOP_INPUT in input || wanted.some((stop) => stop.includes(','))) return input;
  const property = stopProperty(schema);
  if (property?.type !== 'string') return input;
  const defaults = typeof property.default === 'string' ? property.default.split(',').filter((stop) => stop !== '') : [];
  const all = [...defaults, ...wanted.filter((stop) => !defaults.includes(stop))];
  return { ...input, [STOP_INPUT]: all.join(',') };
}
