import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunPipelineError } from '../../src/errors.js';
import { TemplateSyntaxError, compileTemplate } from '../../src/template/index.js';

function syntaxError(source: string): TemplateSyntaxError {
  try {
    compileTemplate(source);
  } catch (error) {
    assert.ok(error instanceof TemplateSyntaxError, `expected TemplateSyntaxError, got ${String(error)}`);
    assert.equal(error.code, 'E_TEMPLATE_SYNTAX');
    return error;
  }
  assert.fail(`template compiled: ${source}`);
}

describe('compileTemplate', () => {
  it('inserts values byte for byte (noEscape)', () => {
    const value = 'Tom\'s Socks & Co. <b> "q"';
    assert.equal(compileTemplate('Name: {{name}}!').render({ name: value }), `Name: ${value}!`);
  });

  it('never re-renders a value: {{x}} inside a value passes through literally', () => {
    assert.equal(compileTemplate('{{a}}').render({ a: '{{b}} and {{#if c}}' }), '{{b}} and {{#if c}}');
  });

  it('throws E_TEMPLATE_RENDER for a missing variable (strict)', () => {
    const template = compileTemplate('Hello {{name}}');
    assert.throws(() => template.render({}), (error: unknown) => error instanceof RunPipelineError && error.code === 'E_TEMPLATE_RENDER');
  });

  it('throws E_TEMPLATE_RENDER for a missing helper argument', () => {
    const template = compileTemplate('{{upper name}}');
    assert.throws(() => template.render({}), (error: unknown) => error instanceof RunPipelineError && error.code === 'E_TEMPLATE_RENDER');
  });

  it('reports a syntax error at its line and column inside the template', () => {
    const error = syntaxError('line one\nsecond {{name');
    assert.equal(error.line, 2);
    assert.ok(error.column >= 8 && error.column <= 14, `column ${error.column}`);
  });

  it('reports an unclosed block', () => {
    const error = syntaxError('{{#if a}}yes');
    assert.equal(error.line, 1);
  });

  it('rejects unknown helpers with their position', () => {
    const error = syntaxError('ok\n  {{shout name}}');
    assert.deepEqual([error.line, error.column], [2, 5]);
    assert.match(error.message, /shout/);
  });

  it('rejects log, lookup, partials and unknown block helpers', () => {
    syntaxError('{{log a}}');
    syntaxError('{{lookup a "b"}}');
    syntaxError('{{> partial}}');
    syntaxError('{{#repeat a}}x{{/repeat}}');
  });

  it('offers trim, upper, lower and json', () => {
    const template = compileTemplate('{{trim a}}|{{upper a}}|{{lower a}}|{{json a}}');
    assert.equal(template.render({ a: ' Hi "x" ' }), 'Hi "x"| HI "X" | hi "x" |" Hi \\"x\\" "');
  });

  it('keeps if/unless/each/with', () => {
    assert.equal(compileTemplate('{{#if a}}A{{else}}B{{/if}}{{#unless a}}C{{/unless}}').render({ a: '' }), 'BC');
    assert.equal(compileTemplate('{{#with a}}{{this}}{{/with}}').render({ a: 'x' }), 'x');
  });

  it('lists references with positions, understanding scopes', () => {
    const template = compileTemplate('A {{x}}\n{{#each list as |item i|}}{{item}}{{i}}{{@index}}{{../y}}{{name}}{{/each}}{{@root.z}}{{this.w}}{{upper v}}');
    const found = template.references.map((reference) => `${reference.name}@${reference.line}:${reference.column}`);
    assert.deepEqual(found, ['x@1:5', 'list@2:9', 'y@2:52', 'z@2:77', 'w@2:88', 'v@2:104']);
  });

  it('reports ../ that climbs above the template', () => {
    syntaxError('{{../x}}');
  });
});
