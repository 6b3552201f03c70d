/** run-pipeline as a library: load a pipeline, run it on Replicate, read the record. */
export * from './errors.js';
export { loadPipeline, parsePipeline, resolveInputs } from './pipeline/index.js';
export type { InputSpec, ModelRef, Pipeline, Step } from './pipeline/types.js';
export { createReplicateProvider, type ReplicateProviderOptions } from './providers/replicate/provider.js';
export type { ModelSchema, Prediction, PredictionRequest, PredictionStatus, Provider } from './providers/types.js';
export { prepareSteps, fetchModelSchemas, type PreparedStep } from './run/prepare.js';
export { createRunId, runPipeline, type RunEvent, type RunOptions, type RunResult } from './run/executor.js';
export type { FileRecord, RunRecord, StepRecord } from './run/record.js';
export { createLogger, type Logger } from './logger.js';
export { main } from './cli/main.js';
export type { BatchRowRecord, BatchSummary } from './run/batch-record.js';
export { createSummaryAccumulator, formatSummaryText, percentile, type RowOrigin, type SummaryAccumulator, type SummaryAccumulatorInit } from './report/summary.js';
export { formatDuration } from './report/format.js';
export { renderJunit } from './report/junit.js';
export { renderMarkdownSummary, type MarkdownSummaryOptions } from './report/markdown.js';
export { renderHtmlReport, type HtmlReportOptions } from './report/html.js';
export { createProgress, type Progress, type ProgressOptions, type ProgressSnapshot } from './cli/progress.js';
