/**
 * One error hierarchy for the whole tool. Every error carries a stable `code`, an optional
 * source `location` and a `hint`; only the CLI formats them for people.
 */

/** A position in a pipeline file, 1-based. */
export type SourceLocation = {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
};

/** Stable error codes; tests and scripts match on these, never on wording. */
export type ErrorCode =
  // invocation and pipeline file (exit 2, nothing was sent)
  | 'E_USAGE'
  | 'E_FILE'
  | 'E_YAML_SYNTAX'
  | 'E_SCHEMA'
  | 'E_REFERENCE'
  | 'E_TEMPLATE_SYNTAX'
  | 'E_TEMPLATE_RENDER'
  | 'E_MODEL_REF'
  | 'E_MODEL_INPUT'
  | 'E_CONFIG'
  | 'E_PIPELINE_CHANGED'
  // remote and run (exit 1)
  | 'E_AUTH'
  | 'E_RATE_LIMIT'
  | 'E_HTTP'
  | 'E_NETWORK'
  | 'E_NOT_FOUND'
  | 'E_INVALID_INPUT'
  | 'E_PREDICTION_FAILED'
  | 'E_PREDICTION_CANCELED'
  | 'E_TIMEOUT'
  | 'E_DOWNLOAD'
  | 'E_OUTPUT'
  | 'E_LIMIT'
  | 'E_INTERRUPTED'
  | 'E_INTERNAL';

/** Options shared by every RunPipelineError. */
export type ErrorOptions = {
  location?: SourceLocation;
  hint?: string;
  retryable?: boolean;
  cause?: unknown;
};

/** Base class of every error this tool raises on purpose. */
export class RunPipelineError extends Error {
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunPipelineError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/** A problem in how the tool was invoked or in the pipeline file: nothing was sent. */
export class UsageError extends RunPipelineError {
  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, options);
    this.name = 'UsageError';
  }
}

/** A diagnostic produced by checking a pipeline: one problem at one place. */
export type Severity = 'error' | 'warning';

/** One problem found in a pipeline, with where it is and how to fix it. */
export type Diagnostic = {
  code: ErrorCode | string;
  severity: Severity;
  message: string;
  hint?: string;
  location?: SourceLocation;
};

/** Thrown when a pipeline has one or more error diagnostics; carries all of them. */
export class PipelineInvalidError extends UsageError {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics.find((diagnostic) => diagnostic.severity === 'error') ?? diagnostics[0];
    const code = (first?.code ?? 'E_SCHEMA') as ErrorCode;
    const options: ErrorOptions = {};
    if (first?.location) options.location = first.location;
    if (first?.hint) options.hint = first.hint;
    super(code, first?.message ?? 'invalid pipeline', options);
    this.name = 'PipelineInvalidError';
    this.diagnostics = diagnostics;
  }
}

/** An error from a remote service (Replicate or a file host), classified once. */
export class RemoteError extends RunPipelineError {
  readonly statusCode: number | undefined;
  readonly responseBody: string | undefined;
  /** Seconds the server asked us to wait (Retry-After or "resets in ~Ns"). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: ErrorOptions & { statusCode?: number; responseBody?: string; retryAfterSeconds?: number } = {},
  ) {
    super(code, message, options);
    this.name = 'RemoteError';
    this.statusCode = options.statusCode;
    this.responseBody = options.responseBody;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** A prediction reached a terminal status other than `succeeded`, or ran out of time. */
export class PredictionError extends RunPipelineError {
  readonly predictionId: string | undefined;
  readonly status: string | undefined;

  constructor(
    code: 'E_PREDICTION_FAILED' | 'E_PREDICTION_CANCELED' | 'E_TIMEOUT',
    message: string,
    options: ErrorOptions & { predictionId?: string; status?: string } = {},
  ) {
    super(code, message, options);
    this.name = 'PredictionError';
    this.predictionId = options.predictionId;
    this.status = options.status;
  }
}

/** True for errors this tool raised on purpose (as opposed to bugs). */
export function isRunPipelineError(error: unknown): error is RunPipelineError {
  return error instanceof RunPipelineError;
}
