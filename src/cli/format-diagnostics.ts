/**
 * Diagnostics for people and machines. `human` is compiler style (file:line:col: severity:
 * message [code], a code frame with a caret, a hint line); `json` is a list for scripts;
 * `github` is GitHub Actions workflow commands, so problems appear on the pull request diff.
 */
import type { Diagnostic } from '../errors.js';

/** How to print diagnostics. */
export type FormatDiagnosticsOptions = {
  format: 'human' | 'json' | 'github';
  /** File → text, for code frames in the human format. */
  sources?: Map<string, string>;
  color?: boolean;
};

type Paint = (text: string) => string;
const plain: Paint = (text) => text;
const ansi = (open: number, close: number): Paint => (text) => `\u001b[${open}m${text}\u001b[${close}m`;

function palette(color: boolean): Record<'bold' | 'red' | 'yellow' | 'cyan' | 'dim', Paint> {
  if (!color) return { bold: plain, red: plain, yellow: plain, cyan: plain, dim: plain };
  return { bold: ansi(1, 22), red: ansi(31, 39), yellow: ansi(33, 39), cyan: ansi(36, 39), dim: ansi(2, 22) };
}

/** The source line and a caret under the column (and tildes to the end of the range on that line). */
function codeFrame(diagnostic: Diagnostic, source: string | undefined, paint: ReturnType<typeof palette>): string[] {
  const location = diagnostic.location;
  if (source === undefined || location === undefined) return [];
  const line = source.split(/\r?\n/)[location.line - 1];
  if (line === undefined) return [];
  const gutter = String(location.line);
  const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
  // Copy tabs so the caret lines up however the terminal expands them.
  const lead = line.slice(0, Math.max(0, location.column - 1)).replace(/[^\t]/g, ' ');
  const sameLine = location.endLine === location.line && location.endColumn !== undefined;
  const width = sameLine ? Math.max(1, Math.min((location.endColumn ?? 0) - location.column, 80)) : 1;
  const caret = `^${'~'.repeat(width - 1)}`;
  const color = diagnostic.severity === 'error' ? paint.red : paint.yellow;
  return [
    `${paint.dim(`${gutter} |`)} ${shown}`,
    `${paint.dim(`${' '.repeat(gutter.length)} |`)} ${lead}${color(caret)}`,
  ];
}

function formatHuman(diagnostics: Diagnostic[], options: FormatDiagnosticsOptions): string {
  const paint = palette(options.color ?? false);
  const blocks = diagnostics.map((diagnostic) => {
    const location = diagnostic.location;
    const where = location ? `${location.file}:${location.line}:${location.column}: ` : '';
    const severity = diagnostic.severity === 'error' ? paint.red('error') : paint.yellow('warning');
    const lines = [`${paint.bold(where)}${severity}: ${diagnostic.message} ${paint.dim(`[${diagnostic.code}]`)}`];
    lines.push(...codeFrame(diagnostic, location ? options.sources?.get(location.file) : undefined, paint));
    if (diagnostic.hint !== undefined) lines.push(`${paint.cyan('hint:')} ${diagnostic.hint}`);
    return lines.join('\n');
  });
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}

/** Escapes for GitHub workflow commands: data escapes %, CR, LF; properties also : and ,. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function formatGithub(diagnostics: Diagnostic[]): string {
  return diagnostics
    .map((diagnostic) => {
      const location = diagnostic.location;
      const properties: string[] = [];
      if (location) {
        properties.push(`file=${escapeProperty(location.file)}`, `line=${location.line}`, `col=${location.column}`);
        if (location.endLine !== undefined) properties.push(`endLine=${location.endLine}`);
        if (location.endColumn !== undefined && location.endLine === location.line) properties.push(`endColumn=${location.endColumn}`);
      }
      properties.push(`title=${escapeProperty(diagnostic.code)}`);
      const message = diagnostic.hint === undefined ? diagnostic.message : `${diagnostic.message}\nhint: ${diagnostic.hint}`;
      return `::${diagnostic.severity} ${properties.join(',')}::${escapeData(message)}\n`;
    })
    .join('');
}

/** Renders diagnostics in the chosen format; the result ends with a newline unless empty. */
export function formatDiagnostics(diagnostics: Diagnostic[], options: FormatDiagnosticsOptions): string {
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(diagnostics, null, 2)}\n`;
    case 'github':
      return formatGithub(diagnostics);
    default:
      return formatHuman(diagnostics, options);
  }
}
