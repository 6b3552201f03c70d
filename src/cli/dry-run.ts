/** `--dry-run`: every template rendered, upstream outputs shown as placeholders; nothing is called. */
import type { Pipeline } from '../pipeline/types.js';

/** A step as a dry run shows it. */
export type DryRunStep = { id: string; model: string; prompt_key: string | null; input: Record<string, unknown> };

/** Placeholder a dry run puts where a step's output will go. */
export function placeholderFor(stepId: string): string {
  return `<output of ${stepId}>`;
}

/** Renders what a run would send, as text or JSON. */
export function renderDryRun(pipeline: Pipeline, inputs: Record<string, string>, options: { json: boolean }): string {
  const context: Record<string, string> = { ...inputs };
  const steps: DryRunStep[] = pipeline.steps.map((step) => {
    const promptKey = step.promptKey ?? null;
    const rendered = step.template.render(context);
    context[step.id] = placeholderFor(step.id);
    return { id: step.id, model: step.model, prompt_key: promptKey, input: { [promptKey ?? '<prompt>']: rendered, ...step.modelKwargs } };
  });
  if (options.json) return `${JSON.stringify({ dry_run: true, pipeline: pipeline.file, inputs, steps }, null, 2)}\n`;
  const lines = [`Dry run of ${pipeline.file}: ${steps.length} step(s), nothing is sent.`];
  for (const [index, step] of steps.entries()) {
    lines.push('', `step ${index + 1}/${steps.length}: ${step.id} → ${step.model}`);
    if (!step.prompt_key) lines.push('  (<prompt> is the model\'s first input by x-order, looked up when the pipeline runs)');
    for (const [key, value] of Object.entries(step.input)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const [firstLine, ...more] = text.split('\n');
      lines.push(`  ${key}: ${firstLine ?? ''}`, ...more.map((line) => `  ${' '.repeat(key.length + 2)}${line}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
