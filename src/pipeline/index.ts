/** The pipeline file format: load, parse, validate, resolve inputs, preflight. Re-exports only. */
export { parsePipeline, sortDiagnostics } from './parse.js';
export type { ParsePipelineResult } from './parse.js';
export { loadPipeline, readPipelineFile } from './load.js';
export type { PipelineFileText } from './load.js';
export { inputDiagnostics, inputTarget, resolveInputs } from './inputs.js';
export type { GivenInputs } from './inputs.js';
export { parseModelRef, explainModelRef } from './model-ref.js';
export { resolvePromptKey } from './prompt-key.js';
export { parseDuration } from './duration.js';
export { MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES } from './limits.js';
export type { InputSpec, ModelRef, Pipeline, Step, StepLocations } from './types.js';
export { preflightPipeline } from './preflight.js';
