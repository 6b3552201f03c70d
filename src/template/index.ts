/**
 * Templates: compiled once when the pipeline loads (syntax errors and forbidden constructs surface
 * before any model is called), rendered many times with values inserted as data.
 */
import { RunPipelineError } from '../errors.js';
import { COMPILE_OPTIONS, environment, lastLexerPosition } from './environment.js';
import { analyzeTemplate, offsetOf } from './references.js';
import type { TemplateProblem } from './references.js';
import type { CompiledTemplate } from './types.js';

export type { CompiledTemplate, TemplateReference } from './types.js';
export type { TemplateProblem } from './references.js';
export { ALL_HELPERS, BLOCK_HELPERS, INLINE_HELPERS } from './environment.js';

/** Thrown by `compileTemplate`; carries every problem found, each positioned inside the template. */
export class TemplateSyntaxError extends RunPipelineError {
  readonly problems: TemplateProblem[];
  /** 1-based line and column of the first problem, relative to the template. */
  readonly line: number;
  readonly column: number;

  constructor(problems: [TemplateProblem, ...TemplateProblem[]]) {
    const [first] = problems;
    super('E_TEMPLATE_SYNTAX', first.message, first.hint === undefined ? {} : { hint: first.hint });
    this.name = 'TemplateSyntaxError';
    this.problems = problems;
    this.line = first.line;
    this.column = first.column;
  }
}

/** Turns a Handlebars parse or compile exception into a positioned problem. */
function problemFromException(source: string, error: unknown): TemplateProblem {
  const raw = error instanceof Error ? error.message : String(error);
  const exception = error as { lineNumber?: number; column?: number };
  let position: { line: number; column: number } | undefined;
  let message = raw;
  if (raw.startsWith('Parse error')) {
    position = lastLexerPosition();
    const expecting = /Expecting (.*), got '([A-Z_]+)'/.exec(raw);
    message = expecting ? `template syntax error: unexpected ${describeToken(expecting[2] ?? '')}` : 'template syntax error';
  } else if (typeof exception.lineNumber === 'number' && typeof exception.column === 'number') {
    position = { line: exception.lineNumber, column: exception.column + 1 };
    message = `template error: ${raw.replace(/ - \d+:\d+$/, '')}`;
  }
  const line = position?.line ?? 1;
  const column = position?.column ?? 1;
  return { message, offset: offsetOf(source, line, column), line, column };
}

/** Plain words for the lexer's token names. */
function describeToken(token: string): string {
  switch (token) {
    case 'EOF':
      return 'end of template (is a {{/block}} or "}}" missing?)';
    case 'CLOSE':
      return '"}}"';
    case 'INVALID':
      return 'character (is "}}" missing or mistyped?)';
    case 'OPEN_ENDBLOCK':
      return '"{{/"';
    default:
      return token.toLowerCase().replace(/_/g, ' ');
  }
}

/**
 * Parses, checks and precompiles a template. Throws `TemplateSyntaxError` (`E_TEMPLATE_SYNTAX`)
 * with every problem positioned relative to the template. Rendering throws `E_TEMPLATE_RENDER`
 * when a variable is missing from the context.
 */
export function compileTemplate(source: string): CompiledTemplate {
  let program: hbs.AST.Program;
  try {
    program = environment.parse(source);
  } catch (error) {
    throw new TemplateSyntaxError([problemFromException(source, error)]);
  }
  const { references, problems } = analyzeTemplate(source, program);
  const [firstProblem, ...otherProblems] = problems;
  if (firstProblem !== undefined) throw new TemplateSyntaxError([firstProblem, ...otherProblems]);
  try {
    // compile() is lazy; precompile() runs the whole compiler now so nothing surfaces mid-run.
    environment.precompile(source, COMPILE_OPTIONS);
  } catch (error) {
    throw new TemplateSyntaxError([problemFromException(source, error)]);
  }
  let delegate: HandlebarsTemplateDelegate | undefined;
  return {
    source,
    references,
    render(context: Record<string, string>): string {
      delegate ??= environment.compile(source, COMPILE_OPTIONS);
      const missing = references.find((reference) => !Object.hasOwn(context, reference.name));
      if (missing !== undefined) {
        throw new RunPipelineError('E_TEMPLATE_RENDER', `template refers to "${missing.name}", which has no value`, {
          hint: 'every {{name}} must be a pipeline input or an earlier step id',
        });
      }
      try {
        return delegate(context);
      } catch (error) {
        const message = error instanceof Error ? error.message.replace(/ - \d+:\d+$/, '') : String(error);
        throw new RunPipelineError('E_TEMPLATE_RENDER', `template failed to render: ${message}`, {
          cause: error,
          hint: 'every {{name}} must be a pipeline input or an earlier step id',
        });
      }
    },
  };
}
