/**
 * The rules JSON Schema cannot express: unique step ids, ids that do not shadow inputs, model
 * references, templates that compile, and references that name an input or an EARLIER step.
 * Works on whatever the YAML held (even when the structure is wrong) so one pass reports everything.
 */
import { didYouMean } from '../did-you-mean.js';
import type { Diagnostic, SourceLocation } from '../errors.js';
import { TemplateSyntaxError, compileTemplate } from '../template/index.js';
import type { CompiledTemplate } from '../template/index.js';
import { isDurationText, parseDuration } from './duration.js';
import { explainModelRef } from './model-ref.js';
import { locateInScalar } from './template-location.js';
import type { InputSpec, Step, StepLocations } from './types.js';
import type { YamlLocator } from './yaml-source.js';

/** What the semantic pass found and built. */
export type SemanticResult = {
  diagnostics: Diagnostic[];
  inputs: InputSpec[];
  implicitInput: boolean;
  /** Steps that are valid on their own; complete only when there are no error diagnostics. */
  steps: Step[];
};

type Fields = Record<string, unknown>;

function asRecord(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads the declared inputs, or the implicit `input` when the file has no `inputs` map. */
function readInputs(root: Fields, locator: YamlLocator): { inputs: InputSpec[]; implicitInput: boolean } {
  if (!('inputs' in root)) return { inputs: [{ name: 'input' }], implicitInput: true };
  const declared = asRecord(root['inputs']) ?? {};
  const inputs: InputSpec[] = [];
  for (const [name, raw] of Object.entries(declared)) {
    if (!IDENTIFIER.test(name)) continue;
    const spec: InputSpec = { name, location: locator.locate(['inputs', name], 'key') };
    const body = asRecord(raw);
    if (typeof body?.['description'] === 'string') spec.description = body['description'];
    if (typeof body?.['default'] === 'string') spec.default = body['default'];
    inputs.push(spec);
  }
  return { inputs, implicitInput: false };
}

/** Validates everything past the structure and builds the steps. */
export function checkSemantics(value: unknown, locator: YamlLocator): SemanticResult {
  const diagnostics: Diagnostic[] = [];
  const root = asRecord(value);
  if (root === undefined) return { diagnostics, inputs: [], implicitInput: false, steps: [] };
  const { inputs, implicitInput } = readInputs(root, locator);
  const inputNames = new Set(inputs.map((input) => input.name));
  const rawSteps = Array.isArray(root['steps']) ? (root['steps'] as unknown[]) : [];
  const error = (code: string, message: string, location: SourceLocation, hint?: string): void => {
    diagnostics.push(hint === undefined ? { code, severity: 'error', message, location } : { code, severity: 'error', message, hint, location });
  };

  // Pass 1: ids, so references can tell "later step" from "unknown".
  const firstIndexOfId = new Map<string, number>();
  rawSteps.forEach((raw, index) => {
    const id = asRecord(raw)?.['id'];
    if (typeof id !== 'string' || !IDENTIFIER.test(id)) return;
    const location = locator.locate(['steps', index, 'id']);
    const earlier = firstIndexOfId.get(id);
    if (earlier !== undefined) {
      const line = locator.locate(['steps', earlier, 'id']).line;
      error('E_SCHEMA', `duplicate step id "${id}" (steps[${earlier}] on line ${line} has it too)`, location, 'give every step its own id');
      return;
    }
    firstIndexOfId.set(id, index);
    if (inputNames.has(id)) {
      error('E_SCHEMA', `step id "${id}" is also the name of an input`, location, `rename the step or the input: {{${id}}} must mean one thing`);
    }
  });

  const usedInputs = new Set<string>();
  const usedSteps = new Set<string>();
  let everyTemplateCompiled = true;
  const steps: Step[] = [];

  rawSteps.forEach((raw, index) => {
    const step = asRecord(raw);
    if (step === undefined) return;
    const at = (key: string, part: 'key' | 'value' = 'value'): SourceLocation => locator.locate(['steps', index, key], part);
    const id = typeof step['id'] === 'string' ? step['id'] : undefined;
    let valid = id !== undefined && firstIndexOfId.get(id) === index && !inputNames.has(id);

    const model = step['model'];
    const explained = typeof model === 'string' ? explainModelRef(model) : undefined;
    if (typeof model === 'string' && explained?.problem !== undefined) {
      error('E_MODEL_REF', explained.problem, at('model'), explained.hint);
    }
    valid &&= explained?.modelRef !== undefined;

    let template: CompiledTemplate | undefined;
    if (typeof step['template'] === 'string') {
      const node = locator.node(['steps', index, 'template']);
      try {
        template = compileTemplate(step['template']);
      } catch (caught) {
        if (!(caught instanceof TemplateSyntaxError)) throw caught;
        everyTemplateCompiled = false;
        for (const problem of caught.problems) {
          error('E_TEMPLATE_SYNTAX', problem.message, locateInScalar(locator, node, problem.offset) ?? at('template'), problem.hint);
        }
      }
      const reported = new Set<string>();
      for (const reference of template?.references ?? []) {
        if (reported.has(reference.name)) continue;
        const found = locateInScalar(locator, node, reference.offset);
        const location = found === undefined ? at('template') : { ...found, endLine: found.line, endColumn: found.column + (reference.length ?? reference.name.length) };
        const stepIndex = firstIndexOfId.get(reference.name);
        if (inputNames.has(reference.name)) {
          usedInputs.add(reference.name);
          continue;
        }
        if (stepIndex !== undefined && stepIndex < index) {
          usedSteps.add(reference.name);
          continue;
        }
        reported.add(reference.name);
        valid = false;
        if (stepIndex === index) {
          error('E_REFERENCE', `step "${reference.name}" refers to its own output {{${reference.name}}}`, location, 'a template can use the inputs and the outputs of earlier steps only');
        } else if (stepIndex !== undefined) {
          error('E_REFERENCE', `{{${reference.name}}} is the output of steps[${stepIndex}], which runs after this step`, location, `move step "${reference.name}" above this one, or refer to an earlier step`);
        } else {
          const available = [...inputNames, ...[...firstIndexOfId].filter(([, other]) => other < index).map(([name]) => name)];
          // Never suggest the step itself; a later step is suggested with a warning that it runs later.
          const suggestion = didYouMean(reference.name, [...inputNames, ...[...firstIndexOfId].filter(([, other]) => other !== index).map(([name]) => name)]);
          const later = suggestion !== undefined && (firstIndexOfId.get(suggestion) ?? -1) > index;
          const hint = reference.name === 'input' && !implicitInput
            ? `this pipeline declares inputs (${[...inputNames].join(', ') || 'none'}); {{input}} exists only when there is no inputs: map`
            : `available here: ${available.length > 0 ? available.join(', ') : 'nothing (this is the first step and the pipeline has no inputs)'}`;
          const guess = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?${later ? ' It runs after this step.' : ''})`;
          error('E_REFERENCE', `unknown variable {{${reference.name}}}${guess}`, location, hint);
        }
      }
    }
    valid &&= template !== undefined;

    const kwargs = asRecord(step['model_kwargs']) ?? {};
    const promptKey = typeof step['prompt_key'] === 'string' ? step['prompt_key'] : undefined;
    if (promptKey !== undefined && promptKey in kwargs) {
      error('E_SCHEMA', `model_kwargs.${promptKey} is also the prompt_key: the template fills it`, locator.locate(['steps', index, 'model_kwargs', promptKey], 'key'), `remove ${promptKey} from model_kwargs`);
      valid = false;
    }

    const timeoutValue = step['timeout'];
    const timeout = timeoutValue === undefined ? undefined : parseDuration(timeoutValue);
    if (typeof timeoutValue === 'string' && timeout === undefined && isDurationText(timeoutValue)) {
      error('E_SCHEMA', `timeout "${timeoutValue}" must be longer than 0 seconds`, at('timeout'));
    }
    if (timeoutValue !== undefined && timeout === undefined) valid = false;

    const stopValue = step['stop'];
    const stop = typeof stopValue === 'string' ? [stopValue] : Array.isArray(stopValue) ? stopValue.filter((item): item is string => typeof item === 'string') : [];
    const retries = step['retries'];

    if (!valid || id === undefined || template === undefined || explained?.modelRef === undefined || typeof model !== 'string') return;
    const locations: StepLocations = { step: locator.locate(['steps', index]), id: at('id'), model: at('model'), template: at('template'), modelKwargs: {} };
    if (stopValue !== undefined) locations.stop = at('stop');
    if (promptKey !== undefined) locations.promptKey = at('prompt_key');
    for (const key of Object.keys(kwargs)) locations.modelKwargs[key] = locator.locate(['steps', index, 'model_kwargs', key], 'key');
    const built: Step = { id, model, modelRef: explained.modelRef, template, modelKwargs: kwargs, stop, locations };
    if (promptKey !== undefined) built.promptKey = promptKey;
    if (timeout !== undefined) built.timeout = timeout;
    if (typeof retries === 'number') built.retries = retries;
    steps.push(built);
  });

  if (everyTemplateCompiled) {
    if (!implicitInput) {
      for (const input of inputs) {
        if (usedInputs.has(input.name)) continue;
        diagnostics.push({ code: 'W_UNUSED_INPUT', severity: 'warning', message: `input "${input.name}" is not used by any template`, hint: `use it as {{${input.name}}} or remove it`, location: input.location ?? locator.locate(['inputs']) });
      }
    }
    rawSteps.forEach((raw, index) => {
      const id = asRecord(raw)?.['id'];
      if (typeof id !== 'string' || index === rawSteps.length - 1 || usedSteps.has(id) || firstIndexOfId.get(id) !== index) return;
      diagnostics.push({ code: 'W_UNUSED_STEP', severity: 'warning', message: `the output of step "${id}" is not used by any later step`, hint: `it is paid for and then discarded; use it as {{${id}}} later, or remove the step`, location: locator.locate(['steps', index, 'id']) });
    });
  }
  return { diagnostics, inputs, implicitInput, steps };
}
