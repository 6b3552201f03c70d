/**
 * YAML with positions. Parses text into one document, turns every syntax problem into a
 * diagnostic at its line and column, converts the document to plain values under the load limits,
 * and answers "where in the file is the value at this path?" for later checks.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLError } from 'yaml';
import type { Diagnostic, SourceLocation } from '../errors.js';
import { MAX_ALIASES, MAX_DEPTH, MAX_NODES } from './limits.js';

/** A path into the document, as Ajv's instancePath segments: keys and list indexes. */
export type YamlPath = readonly (string | number)[];

/** Maps paths and offsets of one parsed document back to file positions. */
export class YamlLocator {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly document: Document.Parsed | undefined,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The 1-based position of a character offset. */
  at(offset: number, endOffset?: number): SourceLocation {
    const { line, col } = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)));
    const location: SourceLocation = { file: this.file, line, column: col };
    if (endOffset !== undefined && endOffset > offset) {
      const end = this.lineCounter.linePos(Math.min(endOffset, this.text.length));
      location.endLine = end.line;
      location.endColumn = end.col;
    }
    return location;
  }

  /** The node at `path` (aliases followed), or undefined when the path does not exist. */
  node(path: YamlPath): Node | undefined {
    return this.walk(path)?.node;
  }

  /** The map entry whose key is the last segment of `path`. */
  pair(path: YamlPath): Pair | undefined {
    return this.walk(path)?.pair;
  }

  /** Where the value at `path` starts (or its key, for `part: 'key'`); falls back to the nearest parent. */
  locate(path: YamlPath, part: 'key' | 'value' = 'value'): SourceLocation {
    for (let length = path.length; length >= 0; length -= 1) {
      const found = this.walk(path.slice(0, length));
      if (found === undefined) continue;
      const keyNode = found.pair?.key as Node | undefined;
      const target = (part === 'key' || length < path.length) && keyNode?.range ? keyNode : found.node ?? keyNode;
      if (target?.range) return this.at(target.range[0], target.range[1]);
    }
    return this.at(0);
  }

  private walk(path: YamlPath): { node: Node | undefined; pair?: Pair } | undefined {
    let node = this.resolve(this.document?.contents ?? undefined);
    let pair: Pair | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (pair === undefined) return undefined;
        node = this.resolve(pair.value as Node | null);
      } else if (isSeq(node) && typeof segment === 'number') {
        pair = undefined;
        node = this.resolve(node.items[segment] as Node | undefined);
        if (node === undefined) return undefined;
      } else {
        return undefined;
      }
    }
    return pair === undefined ? { node } : { node, pair };
  }

  private resolve(node: Node | null | undefined): Node | undefined {
    if (node === null || node === undefined) return undefined;
    if (isAlias(node) && this.document) return (node.resolve(this.document) as Node | undefined) ?? node;
    return node;
  }
}

/** The outcome of reading YAML: a plain value when the document is usable, plus every problem. */
export type YamlReadResult = {
  value?: unknown;
  locator: YamlLocator;
  diagnostics: Diagnostic[];
};

/** Plain words for the yaml library's messages. */
function describeYamlError(error: YAMLError, text: string): { message: string; hint?: string } {
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return { message: 'tab used for indentation', hint: 'indent with spaces; YAML does not allow tabs there' };
    case 'DUPLICATE_KEY': {
      const key = /^[^:\n]*/.exec(text.slice(error.pos[0]))?.[0]?.trim() ?? '';
      return { message: `duplicate key "${key}"`, hint: 'each key may appear once per map; remove or rename one' };
    }
    case 'TAG_RESOLVE_FAILED':
      return { message: 'custom YAML tags (!name) are not supported', hint: 'remove the tag' };
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
    default: {
      const first = error.message.split('\n')[0] ?? error.message;
      const line = text.slice(text.lastIndexOf('\n', error.pos[0] - 1) + 1).split('\n')[0] ?? '';
      const hint = /:\s*$|: .*: /.test(line)
        ? 'a value that contains ": " or ends with ":" must be quoted'
        : 'check the indentation (keys of one map start in the same column) and the quotes on this line and the one above';
      return { message: `YAML syntax error: ${first.charAt(0).toLowerCase()}${first.slice(1)}`, hint };
    }
  }
}

/** Converts the document to plain values, enforcing depth, alias and size limits. */
class ValueBuilder {
  aliases = 0;
  nodes = 0;
  problem: { node: Node | undefined; message: string; hint?: string } | undefined;

  constructor(private readonly document: Document.Parsed) {}

  build(node: Node | null | undefined, depth: number): unknown {
    if (this.problem !== undefined || node === null || node === undefined) return null;
    this.nodes += 1;
    if (this.nodes > MAX_NODES) return this.fail(node, `the document expands to more than ${MAX_NODES} values`, 'remove aliases (*name) that repeat large parts');
    if (isAlias(node)) {
      this.aliases += 1;
      if (this.aliases > MAX_ALIASES) return this.fail(node, `more than ${MAX_ALIASES} aliases (*name)`, 'write the values out');
      const target = node.resolve(this.document) as Node | undefined;
      if (target === undefined) return this.fail(node, `alias *${node.source} has no matching anchor &${node.source} before it`);
      return this.build(target, depth);
    }
    if (isScalar(node)) return (node as Scalar).value;
    if (depth >= MAX_DEPTH) return this.fail(node, `nested more than ${MAX_DEPTH} levels deep`);
    if (isSeq(node)) return node.items.map((item) => this.build(item as Node, depth + 1));
    if (isMap(node)) {
      const result: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        if (key !== null && !isScalar(key)) {
          const braces = isMap(key) && key.flow === true;
          const message = braces ? 'this value starts with "{" so YAML reads it as a map, not as text' : 'a map or list cannot be used as a key';
          return this.fail(key, message, 'a value that starts with { or [ must be quoted, e.g. template: "{{input}}", or written as a block: template: |');
        }
        const name = key === null ? '' : String(key.value);
        // defineProperty keeps a key such as "__proto__" an ordinary own property.
        Object.defineProperty(result, name, { value: this.build(pair.value as Node | null, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return result;
    }
    return null;
  }

  private fail(node: Node | undefined, message: string, hint?: string): null {
    this.problem ??= hint === undefined ? { node, message } : { node, message, hint };
    return null;
  }
}

/** Parses `text` as a single YAML document; every problem becomes a diagnostic. */
export function readYaml(text: string, file: string): YamlReadResult {
  const lineCounter = new LineCounter();
  // prettyErrors off: we want yaml's one-line message and compute positions ourselves. merge off:
  // `<<` stays an ordinary key, which the schema then refuses by name. Aliases are counted (and
  // capped) by ValueBuilder, which replaces toJS() so no limit depends on yaml's internals.
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: false });
  const list = Array.isArray(documents) ? documents : [];
  const document = list[0];
  const locator = new YamlLocator(file, text, document, lineCounter);
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const push = (diagnostic: Diagnostic): void => {
    const key = `${diagnostic.code}:${diagnostic.location?.line}:${diagnostic.location?.column}:${diagnostic.message}`;
    if (!seen.has(key)) diagnostics.push(diagnostic);
    seen.add(key);
  };

  for (const item of list) {
    const problems = [...item.errors, ...item.warnings];
    const exhausted = problems.find((problem) => problem.code === 'RESOURCE_EXHAUSTION');
    if (exhausted !== undefined) {
      // The parser ran out of stack on absurd nesting; everything after that is noise.
      push({ code: 'E_YAML_SYNTAX', severity: 'error', message: `nested more than ${MAX_DEPTH} levels deep`, location: locator.at(exhausted.pos[0]) });
      continue;
    }
    const reportedLines = new Set<number>();
    for (const problem of problems) {
      // One YAML error per line: after the first, the parser's recovery mostly produces echoes.
      const line = locator.at(problem.pos[0]).line;
      if (reportedLines.has(line)) continue;
      reportedLines.add(line);
      push({ code: 'E_YAML_SYNTAX', severity: 'error', ...describeYamlError(problem, text), location: locator.at(problem.pos[0], problem.pos[1]) });
    }
  }
  for (const extra of list.slice(1)) {
    const start = extra.range?.[0] ?? 0;
    const marker = text.lastIndexOf('---', start);
    push({
      code: 'E_YAML_SYNTAX',
      severity: 'error',
      message: 'more than one YAML document in the file',
      hint: 'a pipeline file holds one document; remove the "---" line and what follows, or move it to its own file',
      location: locator.at(marker >= 0 ? marker : start),
    });
  }
  if (diagnostics.length > 0 || document === undefined) return { locator, diagnostics };

  const builder = new ValueBuilder(document);
  const value = builder.build(document.contents, 0);
  if (builder.problem !== undefined) {
    const range = builder.problem.node?.range;
    const diagnostic: Diagnostic = { code: 'E_YAML_SYNTAX', severity: 'error', message: builder.problem.message, location: range ? locator.at(range[0], range[1]) : locator.at(0) };
    if (builder.problem.hint !== undefined) diagnostic.hint = builder.problem.hint;
    return { locator, diagnostics: [diagnostic] };
  }
  return { value, locator, diagnostics };
}
