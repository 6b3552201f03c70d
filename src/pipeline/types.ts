/**
 * The in-memory form of a pipeline file (format v1). Produced by `loadPipeline`/`parsePipeline`,
 * consumed by the executor. Locations point back into the YAML so later stages (preflight against
 * a model's schema, run-time errors) can still say file:line:col.
 */
import type { SourceLocation } from '../errors.js';
import type { CompiledTemplate } from '../template/types.js';

/** `owner/name` or `owner/name:version`, parsed. */
export type ModelRef = {
  owner: string;
  name: string;
  /** 64-hex version id; absent for official models run by name. */
  version?: string;
};

/** One named pipeline input. */
export type InputSpec = {
  name: string;
  description?: string;
  default?: string;
  location?: SourceLocation;
};

/** Where each part of a step was written, for diagnostics after loading. */
export type StepLocations = {
  step?: SourceLocation;
  id?: SourceLocation;
  model?: SourceLocation;
  template?: SourceLocation;
  stop?: SourceLocation;
  promptKey?: SourceLocation;
  /** One entry per key of `model_kwargs`, at the key. */
  modelKwargs: Record<string, SourceLocation>;
};

/** One step of a pipeline, validated and with its template compiled. */
export type Step = {
  id: string;
  /** The model reference as written. */
  model: string;
  modelRef: ModelRef;
  template: CompiledTemplate;
  modelKwargs: Record<string, unknown>;
  /** Stop sequences; empty when none. */
  stop: string[];
  promptKey?: string;
  /** Per-step time limit in seconds. */
  timeout?: number;
  /** How many times a failed prediction is retried (default 0: failed predictions cost money). */
  retries?: number;
  locations: StepLocations;
};

/** A loaded, valid pipeline. */
export type Pipeline = {
  /** Path as given by the user (used in messages). */
  file: string;
  /** sha256 of the file's bytes, to detect edits between batch runs. */
  hash: string;
  name?: string;
  description?: string;
  /** Declared inputs; `[{ name: 'input' }]` when the file declares none. */
  inputs: InputSpec[];
  /** True when the file has no `inputs` map and the single implicit `input` is used. */
  implicitInput: boolean;
  steps: Step[];
};
