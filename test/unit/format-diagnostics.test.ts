import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostics } from '../../src/cli/format-diagnostics.js';
import type { Diagnostic } from '../../src/errors.js';

const source = 'steps:\n  - id: a\n    model_kwargs:\n      temperature: hot\n';
const diagnostics: Diagnostic[] = [
  {
    code: 'E_SCHEMA',
    severity: 'error',
    message: 'steps[0].model_kwargs.temperature must be a number',
    hint: 'write a number such as 0.7',
    location: { file: 'p.yaml', line: 4, column: 20, endLine: 4, endColumn: 23 },
  },
  { code: 'W_UNUSED_INPUT', severity: 'warning', message: 'input "x" is not used, 100% sure', location: { file: 'p.yaml', line: 2, column: 9 } },
  { code: 'E_USAGE', severity: 'error', message: '--var y: no such input' },
];

describe('formatDiagnostics', () => {
  it('human: file:line:col, severity, message, code, code frame with caret, hint', () => {
    const text = formatDiagnostics(diagnostics, { format: 'human', sources: new Map([['p.yaml', source]]) });
    const lines = text.split('\n');
    assert.equal(lines[0], 'p.yaml:4:20: error: steps[0].model_kwargs.temperature must be a number [E_SCHEMA]');
    assert.equal(lines[1], '4 |       temperature: hot');
    assert.equal(lines[2], '  |                    ^~~');
    assert.equal(lines[3], 'hint: write a number such as 0.7');
    assert.match(text, /^p\.yaml:2:9: warning: .* \[W_UNUSED_INPUT\]$/m);
    assert.match(text, /^error: --var y: no such input \[E_USAGE\]$/m);
    assert.doesNotMatch(text, /\u001b\[/);
  });

  it('human: colors only when asked', () => {
    assert.match(formatDiagnostics(diagnostics, { format: 'human', color: true }), /\u001b\[31merror/);
  });

  it('json: the diagnostics as a list', () => {
    const parsed = JSON.parse(formatDiagnostics(diagnostics, { format: 'json' })) as Diagnostic[];
    assert.deepEqual(parsed, diagnostics);
  });

  it('github: one escaped workflow command per diagnostic', () => {
    const lines = formatDiagnostics(diagnostics, { format: 'github' }).trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[0], '::error file=p.yaml,line=4,col=20,endLine=4,endColumn=23,title=E_SCHEMA::steps[0].model_kwargs.temperature must be a number%0Ahint: write a number such as 0.7');
    assert.equal(lines[1], '::warning file=p.yaml,line=2,col=9,title=W_UNUSED_INPUT::input "x" is not used, 100%25 sure');
    assert.equal(lines[2], '::error title=E_USAGE::--var y: no such input');
  });

  it('prints nothing for no diagnostics', () => {
    assert.equal(formatDiagnostics([], { format: 'human' }), '');
    assert.equal(formatDiagnostics([], { format: 'github' }), '');
  });
});
