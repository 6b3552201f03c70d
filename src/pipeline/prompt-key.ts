/** Which model input receives a step's rendered template. */
import type { ModelSchema } from '../providers/types.js';
import type { Step } from './types.js';

/**
 * `step.promptKey` when set; otherwise the model's first input by `x-order` (a missing `x-order`
 * counts as 0; ties keep the schema's order); otherwise `prompt`.
 */
export function resolvePromptKey(step: Step, schema: ModelSchema | undefined): string {
  if (step.promptKey !== undefined) return step.promptKey;
  const properties = schema?.input['properties'];
  if (properties === null || typeof properties !== 'object') return 'prompt';
  const ordered = Object.entries(properties as Record<string, unknown>)
    .map(([name, property], position) => {
      const order = (property as { 'x-order'?: unknown } | null)?.['x-order'];
      return { name, order: typeof order === 'number' ? order : 0, position };
    })
    .sort((left, right) => left.order - right.order || left.position - right.position);
  return ordered[0]?.name ?? 'prompt';
}
