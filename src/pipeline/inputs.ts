/**
 * Pipeline inputs from the command line. `--var name=value` sets a named input. `--input TEXT` sets
 * the implicit `input` of a pipeline without an `inputs:` map; with declared inputs it is allowed
 * only when it is unambiguous: an input named `input`, or exactly one declared input.
 */
import { didYouMeanSuffix } from '../did-you-mean.js';
import { UsageError } from '../errors.js';
import type { Diagnostic } from '../errors.js';
import type { Pipeline } from './types.js';

/** What the user gave on the command line. */
export type GivenInputs = { input?: string; vars: Record<string, string> };

/** The input `--input TEXT` sets, or undefined when `--input` is ambiguous for this pipeline. */
export function inputTarget(pipeline: Pipeline): string | undefined {
  const names = pipeline.inputs.map((input) => input.name);
  if (pipeline.implicitInput || names.includes('input')) return 'input';
  return names.length === 1 ? names[0] : undefined;
}

/** True when some template reads `name`. */
function isReferenced(pipeline: Pipeline, name: string): boolean {
  return pipeline.steps.some((step) => step.template.references.some((reference) => reference.name === name));
}

/** Every problem with the given inputs; `requireAll` also reports inputs that have no value. */
export function inputProblems(pipeline: Pipeline, given: GivenInputs, requireAll: boolean): string[] {
  const names = pipeline.inputs.map((input) => input.name);
  const listed = names.length > 0 ? names.join(', ') : 'none';
  const problems: string[] = [];
  const target = given.input === undefined ? undefined : inputTarget(pipeline);
  if (given.input !== undefined && target === undefined) {
    problems.push(`--input cannot be used: this pipeline declares ${names.length} inputs (${listed}); set each with --var name=value`);
  }
  for (const name of Object.keys(given.vars)) {
    if (!names.includes(name)) {
      problems.push(`--var ${name}: the pipeline has no input "${name}"${didYouMeanSuffix(name, names)} (inputs: ${listed})`);
    } else if (name === target) {
      problems.push(`--var ${name} and --input both set input "${name}"; give it once`);
    }
  }
  if (requireAll) {
    const missing = pipeline.inputs.filter((input) => {
      if (given.vars[input.name] !== undefined || input.default !== undefined || input.name === target) return false;
      return !pipeline.implicitInput || isReferenced(pipeline, input.name);
    });
    if (missing.length > 0 && pipeline.implicitInput) problems.push('missing input: give it with --input TEXT');
    else if (missing.length > 0) {
      problems.push(`missing input${missing.length > 1 ? 's' : ''} ${missing.map((input) => `"${input.name}"`).join(', ')}: set with ${missing.map((input) => `--var ${input.name}=...`).join(' ')}`);
    }
  }
  return problems;
}

/**
 * The value of every input for one run: given values, then defaults. Throws `UsageError('E_USAGE')`
 * listing every unknown name (with did-you-mean) and every input that has no value.
 */
export function resolveInputs(pipeline: Pipeline, given: GivenInputs): Record<string, string> {
  const problems = inputProblems(pipeline, given, true);
  if (problems.length > 0) {
    throw new UsageError('E_USAGE', problems.join('; '), { hint: `inputs of this pipeline: ${pipeline.inputs.map((input) => input.name).join(', ') || 'none'}` });
  }
  const target = given.input === undefined ? undefined : inputTarget(pipeline);
  const values: Record<string, string> = {};
  for (const input of pipeline.inputs) {
    const value = given.vars[input.name] ?? (input.name === target ? given.input : undefined) ?? input.default;
    if (value !== undefined) values[input.name] = value;
  }
  return values;
}

/** Problems with `--input`/`--var` as diagnostics (for `check`), without requiring every input. */
export function inputDiagnostics(pipeline: Pipeline, given: GivenInputs): Diagnostic[] {
  return inputProblems(pipeline, given, false).map((message) => ({ code: 'E_USAGE', severity: 'error', message }));
}
