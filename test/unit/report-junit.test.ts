import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JUNIT_TEXT_LIMIT, renderJunit } from '../../src/report/junit.js';
import { makeFailedRow, makeRow, makeStep, makeSummary } from '../support/report-rows.js';

/** A parsed XML element: enough structure to read back what a CI system would see. */
type XmlElement = { name: string; attributes: Record<string, string>; children: XmlElement[]; text: string };

const NAME = '[A-Za-z_][\\w.-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
const ATTRIBUTE = new RegExp(`\\s+(${NAME})="([^"<]*)"`, 'y');

function decode(raw: string, where: string): string {
  const rest = raw.replace(new RegExp(ENTITY.source, 'g'), '');
  assert.ok(!rest.includes('&'), `bare & in ${where}: ${raw.slice(0, 80)}`);
  return raw.replace(new RegExp(ENTITY.source, 'g'), (entity) => {
    const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };
    if (named[entity] !== undefined) return named[entity];
    const hex = entity.startsWith('&#x');
    return String.fromCodePoint(Number.parseInt(entity.slice(hex ? 3 : 2, -1), hex ? 16 : 10));
  });
}

/**
 * A strict well-formedness check for the XML subset renderJunit writes (prolog, elements,
 * double-quoted attributes, text, entity and character references; no CDATA, comments or DTD).
 * Written here rather than adding an XML parser dependency: these rules are all XML 1.0 asks of us,
 * and package.json is being changed on another branch right now.
 */
function parseXml(xml: string): XmlElement {
  assert.doesNotMatch(xml, /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u, 'a character XML 1.0 forbids');
  let position = 0;
  const prolog = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  if (prolog) position = prolog[0].length;
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (position < xml.length) {
    const next = xml.indexOf('<', position);
    const textEnd = next === -1 ? xml.length : next;
    const text = xml.slice(position, textEnd);
    const parent = stack[stack.length - 1]!;
    if (parent === root) assert.match(text, /^\s*$/, 'text outside the root element');
    assert.ok(!text.includes('>') || !text.includes(']]>'), ']]> in text');
    parent.text += decode(text, `<${parent.name}>`);
    if (next === -1) break;
    position = next;
    const close = new RegExp(`</(${NAME})\\s*>`, 'y');
    close.lastIndex = position;
    const closing = close.exec(xml);
    if (closing) {
      const open = stack.pop();
      assert.equal(open?.name, closing[1], `</${closing[1]}> closes <${open?.name}>`);
      position = close.lastIndex;
      continue;
    }
    const start = new RegExp(`<(${NAME})`, 'y');
    start.lastIndex = position;
    const opening = start.exec(xml);
    assert.ok(opening, `not a tag at ${position}: ${xml.slice(position, position + 40)}`);
    const element: XmlElement = { name: opening[1]!, attributes: {}, children: [], text: '' };
    position = start.lastIndex;
    for (;;) {
      ATTRIBUTE.lastIndex = position;
      const attribute = ATTRIBUTE.exec(xml);
      if (!attribute) break;
      assert.ok(!(attribute[1]! in element.attributes), `duplicate attribute ${attribute[1]}`);
      element.attributes[attribute[1]!] = decode(attribute[2]!, `${element.name}@${attribute[1]}`);
      position = ATTRIBUTE.lastIndex;
    }
    const end = /\s*(\/?)>/y;
    end.lastIndex = position;
    const ending = end.exec(xml);
    assert.ok(ending, `unterminated <${element.name}> at ${position}: ${xml.slice(position, position + 40)}`);
    position = end.lastIndex;
    if (parent === root) assert.equal(root.children.length, 0, 'more than one root element');
    parent.children.push(element);
    if (ending[1] !== '/') stack.push(element);
  }
  assert.equal(stack.length, 1, `unclosed <${stack[stack.length - 1]?.name}>`);
  assert.equal(root.children.length, 1, 'no root element');
  return root.children[0]!;
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

function testCases(xml: string): XmlElement[] {
  return child(parseXml(xml), 'testsuite')!.children.filter((element) => element.name === 'testcase');
}

describe('the well-formedness check used below', () => {
  it('rejects what an XML parser would reject', () => {
    for (const bad of ['<a><b></a>', '<a>x & y</a>', '<a>1 < 2</a>', '<a b="<"/>', '<a/><b/>', '<a>\u0001</a>', '<a b="1" b="2"/>', '<a>']) {
      assert.throws(() => parseXml(bad), `accepted ${JSON.stringify(bad)}`);
    }
    assert.equal(parseXml('<a b="&lt;&#10;">x &amp; &#x1F600;<c/></a>').text, 'x & 😀');
  });
});

describe('renderJunit', () => {
  it('writes one test case per row, named by key, with the pipeline as class name and time in seconds', () => {
    const xml = renderJunit([makeRow(0, { duration_ms: 4100 }), makeFailedRow(1, 'NSFW content detected'), makeRow(2)], makeSummary());
    const root = parseXml(xml);
    assert.equal(root.name, 'testsuites');
    assert.deepEqual([root.attributes.tests, root.attributes.failures, root.attributes.skipped], ['3', '1', '0']);
    const cases = testCases(xml);
    assert.deepEqual(cases.map((element) => element.attributes.name), ['row-0', 'row-1', 'row-2']);
    assert.deepEqual(cases.map((element) => element.attributes.classname), ['logo', 'logo', 'logo']);
    assert.equal(cases[0]!.attributes.time, '4.100');
    assert.equal(child(cases[0]!, 'failure'), undefined);
    const failure = child(cases[1]!, 'failure')!;
    assert.equal(failure.attributes.type, 'E_PREDICTION_FAILED');
    assert.equal(failure.attributes.message, 'NSFW content detected');
    assert.equal(failure.text, 'step logo: E_PREDICTION_FAILED NSFW content detected');
  });

  it('keeps inputs as properties and step outputs in system-out', () => {
    const cases = testCases(renderJunit([makeRow(0, { inputs: { product: 'socks' } })], makeSummary()));
    const properties = child(cases[0]!, 'properties')!.children;
    assert.ok(properties.some((element) => element.attributes.name === 'input.product' && element.attributes.value === 'socks'));
    assert.match(child(cases[0]!, 'system-out')!.text, /company_name .*succeeded[\s\S]*\nSock It To Me/);
  });

  it('escapes hostile text everywhere and strips characters XML forbids, so the file still parses', () => {
    const hostile = '</system-out>]]><!-- "quoted" & \'apos\' --><x y="1">\u0000\u0008\u001b[31m\uFFFF\uD800 end\r\nline';
    const row = makeFailedRow(0, hostile, {
      key: `key ${hostile}`,
      inputs: { [`name${hostile}`]: hostile },
      steps: [makeStep({ output: hostile }), makeStep({ id: 'logo', status: 'failed', output: null, error: { code: 'E_PREDICTION_FAILED', message: hostile } })],
    });
    const xml = renderJunit([row], makeSummary({ pipeline: { file: 'a&b.yaml', name: `<${hostile}>`, hash: '"' } }));
    const cases = testCases(xml);
    const expected = '</system-out>]]><!-- "quoted" & \'apos\' --><x y="1">[31m end\r\nline';
    assert.equal(cases[0]!.attributes.name, `key ${expected}`);
    assert.equal(child(cases[0]!, 'failure')!.attributes.message, expected, 'attributes keep line breaks as character references');
    assert.ok(child(cases[0]!, 'system-out')!.text.includes(`\n${expected}\n`));
  });

  it('marks interrupted rows as skipped, not failed', () => {
    const xml = renderJunit([makeRow(0, { status: 'interrupted' })], makeSummary());
    assert.equal(parseXml(xml).attributes.skipped, '1');
    assert.ok(child(testCases(xml)[0]!, 'skipped'));
  });

  it('cuts very long step texts so huge batches stay a sensible size', () => {
    const cases = testCases(renderJunit([makeRow(0, { steps: [makeStep({ output: 'x'.repeat(JUNIT_TEXT_LIMIT * 3) })] })], makeSummary()));
    const out = child(cases[0]!, 'system-out')!.text;
    assert.ok(out.length < JUNIT_TEXT_LIMIT + 300);
    assert.match(out, /… \(4,000 more characters\)/);
  });

  it('reads its rows once, from any iterable', () => {
    function* rows() {
      for (let index = 0; index < 1000; index += 1) yield makeRow(index);
    }
    assert.equal(testCases(renderJunit(rows(), makeSummary())).length, 1000);
  });

  it('is a valid document with no rows', () => {
    assert.equal(parseXml(renderJunit([], makeSummary())).attributes.tests, '0');
  });
});
