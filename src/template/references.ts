/**
 * Static analysis of a template: which pipeline names it reads, and which constructs it uses that
 * our environment forbids. Walks the Handlebars AST (never regex), so block params, `this`,
 * `@index`, `@root` and `../` are understood the way Handlebars itself resolves them.
 */
import { didYouMeanSuffix } from '../did-you-mean.js';
import { ALL_HELPERS, BLOCK_HELPERS, CONTEXT_HELPERS, INLINE_HELPERS } from './environment.js';
import type { TemplateReference } from './types.js';

/** A problem found in a template, positioned inside the template (1-based line and column). */
export type TemplateProblem = {
  message: string;
  hint?: string;
  offset: number;
  line: number;
  column: number;
};

/** What the walker found. */
export type TemplateAnalysis = {
  references: TemplateReference[];
  problems: TemplateProblem[];
};

type Position = { line: number; column: number };
type Scope = {
  /** How many `each`/`with` bodies enclose this point: each one moves `this` away from the root. */
  contextDepth: number;
  /** Block params (`as |item index|`) visible here. */
  blockParams: ReadonlySet<string>;
};

/** Converts a 1-based line and 1-based column in `source` to a 0-based offset. */
export function offsetOf(source: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = source.indexOf('\n', offset);
    if (next === -1) return source.length;
    offset = next + 1;
  }
  return Math.min(source.length, offset + column - 1);
}

/** Walks a parsed template and returns its references and forbidden constructs. */
export function analyzeTemplate(source: string, program: hbs.AST.Program): TemplateAnalysis {
  const references: TemplateReference[] = [];
  const problems: TemplateProblem[] = [];

  const at = (node: hbs.AST.Node): Position & { offset: number } => {
    // Handlebars columns are 0-based; ours are 1-based like every editor.
    const line = node.loc.start.line;
    const column = node.loc.start.column + 1;
    return { line, column, offset: offsetOf(source, line, column) };
  };
  const report = (node: hbs.AST.Node, message: string, hint?: string): void => {
    problems.push(hint === undefined ? { message, ...at(node) } : { message, hint, ...at(node) });
  };

  const readPath = (path: hbs.AST.PathExpression, scope: Scope): void => {
    const [head, second] = path.parts;
    if (path.data) {
      if (head === 'root' && second !== undefined) references.push({ name: second, ...at(path), length: path.original.length });
      return;
    }
    if (head === undefined) return; // `this` or `..`: the whole context, never a single name
    if (path.depth === 0 && !path.original.startsWith('this') && scope.blockParams.has(head)) return;
    const level = scope.contextDepth - path.depth;
    if (level < 0) {
      report(path, `"${path.original}" climbs above the top of the template`, 'remove one "../"');
    } else if (level === 0) {
      references.push({ name: head, ...at(path), length: path.original.length });
    }
  };

  const readExpression = (node: hbs.AST.Expression, scope: Scope): void => {
    if (node.type === 'PathExpression') readPath(node as hbs.AST.PathExpression, scope);
    else if (node.type === 'SubExpression') readCall(node as hbs.AST.SubExpression, scope, false);
  };

  const readArguments = (node: { params: hbs.AST.Expression[]; hash?: hbs.AST.Hash }, scope: Scope): void => {
    for (const parameter of node.params) readExpression(parameter, scope);
    for (const pair of node.hash?.pairs ?? []) readExpression(pair.value, scope);
  };

  /** A mustache or sub-expression: either a helper call or a plain value. */
  const readCall = (
    node: hbs.AST.MustacheStatement | hbs.AST.SubExpression,
    scope: Scope,
    mayBeValue: boolean,
  ): void => {
    const path = node.path as hbs.AST.PathExpression;
    const hasArguments = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    const helperName = path.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts.length === 1 ? path.parts[0] : undefined;
    if (!hasArguments && mayBeValue && (helperName === undefined || !ALL_HELPERS.includes(helperName))) {
      if (path.type === 'PathExpression') readPath(path, scope);
      return;
    }
    if (helperName !== undefined && BLOCK_HELPERS.has(helperName)) {
      report(path, `"${helperName}" is a block helper: write {{#${helperName} ...}}...{{/${helperName}}}`);
    } else if (helperName === undefined || !INLINE_HELPERS.has(helperName)) {
      const name = path.type === 'PathExpression' ? path.original : String((path as unknown as Record<string, unknown>)['original'] ?? path.type);
      report(path, `unknown helper "${name}"${didYouMeanSuffix(name, INLINE_HELPERS)}`, `helpers: ${[...INLINE_HELPERS].join(', ')}`);
    } else if (node.params.length !== 1 || (node.hash?.pairs.length ?? 0) > 0) {
      report(path, `helper "${helperName}" takes exactly one argument`);
    }
    readArguments(node, scope);
  };

  const readBlock = (node: hbs.AST.BlockStatement, scope: Scope): void => {
    const path = node.path as hbs.AST.PathExpression;
    const name = path.type === 'PathExpression' ? path.original : path.type;
    if (!BLOCK_HELPERS.has(name)) {
      const hint = INLINE_HELPERS.has(name) ? `"${name}" is not a block helper; write {{${name} value}}` : 'block helpers: if, unless, each, with';
      report(path, `unknown block helper "${name}"${didYouMeanSuffix(name, BLOCK_HELPERS)}`, hint);
    } else if (node.params.length !== 1 || (node.hash?.pairs.length ?? 0) > 0) {
      report(path, `block helper "${name}" takes exactly one argument`);
    }
    readArguments(node, scope);
    const changesContext = CONTEXT_HELPERS.has(name);
    const blockParams = new Set([...scope.blockParams, ...(node.program.blockParams ?? [])]);
    const inner: Scope = { contextDepth: scope.contextDepth + (changesContext ? 1 : 0), blockParams };
    walk(node.program, inner);
    if (node.inverse) walk(node.inverse, scope);
  };

  const walk = (program: hbs.AST.Program, scope: Scope): void => {
    for (const statement of program.body) {
      switch (statement.type) {
        case 'MustacheStatement':
          readCall(statement as hbs.AST.MustacheStatement, scope, true);
          break;
        case 'BlockStatement':
          readBlock(statement as hbs.AST.BlockStatement, scope);
          break;
        case 'PartialStatement':
        case 'PartialBlockStatement':
          report(statement, 'partials ({{> name}}) are not supported', 'refer to a step or input with {{name}}');
          break;
        case 'DecoratorBlock':
        case 'Decorator':
          report(statement, 'decorators ({{* name}}) are not supported');
          break;
        default:
          break; // content and comments
      }
    }
  };

  walk(program, { contextDepth: 0, blockParams: new Set() });
  return { references, problems };
}
