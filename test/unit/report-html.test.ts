import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderHtmlReport } from '../../src/report/html.js';
import { makePng } from '../support/png.js';
import { makeFailedRow, makeRow, makeStep, makeSummary } from '../support/report-rows.js';

let directory: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'report-html-'));
  await mkdir(join(directory, 'out', 'row 1'), { recursive: true });
  await writeFile(join(directory, 'out', 'row 1', 'logo.png'), makePng(8, 8, 1));
  await writeFile(join(directory, 'out', 'row 1', 'big.png'), Buffer.concat([Buffer.from(makePng(8, 8, 2)), Buffer.alloc(4096)]));
  await writeFile(join(directory, 'out', 'row 1', 'fake.png'), '<svg onload="alert(1)"/>');
});

after(async () => {
  await rm(directory, { recursive: true, force: true });
});

function imageStep(id: string, name: string) {
  const path = `out/row 1/${name}`;
  return makeStep({ id, output: `https://replicate.delivery/${name}`, files: [{ path, url: `https://replicate.delivery/${name}`, bytes: 100, content_type: 'image/png' }] });
}

async function render(rows: Parameters<typeof renderHtmlReport>[0], options: Partial<Parameters<typeof renderHtmlReport>[2]> = {}) {
  return renderHtmlReport(rows, makeSummary(), { reportPath: 'reports/report.html', baseDirectory: directory, ...options });
}

describe('renderHtmlReport', () => {
  it('shows hostile inputs, outputs and errors as text, never as markup', async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    const page = await render([
      makeRow(0, { key: hostile, inputs: { [hostile]: hostile }, steps: [makeStep({ id: hostile, model: hostile, output: hostile, input: { prompt: hostile } })] }),
      makeFailedRow(1, hostile),
    ]);
    assert.equal(page.match(/<script/g)?.length, 1, 'only the page’s own script');
    assert.ok(!page.includes('<img src=x'));
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;'));
  });

  it('allows only its own inline style and script, by hash, and nothing from the network', async () => {
    const page = await render([makeRow(0)]);
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1]?.replace(/&#39;/g, "'");
    assert.ok(policy);
    const hash = (source: string) => `'sha256-${createHash('sha256').update(source).digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    assert.ok(policy.includes(`script-src ${hash(script)}`));
    assert.ok(policy.includes(`style-src ${hash(style)}`));
    assert.match(policy, /default-src 'none'/);
    assert.doesNotMatch(page, /(src|href)="(https?:)?\/\//, 'no network references');
  });

  it('embeds a saved PNG as a data: URI thumbnail with a link to the file', async () => {
    const page = await render([makeRow(1, { steps: [imageStep('logo', 'logo.png')] })]);
    const png = Buffer.from(makePng(8, 8, 1)).toString('base64');
    assert.ok(page.includes(`<img class="thumb" src="data:image/png;base64,${png}" alt="logo output 1">`));
    assert.ok(page.includes('<a href="../out/row%201/logo.png">logo.png</a>'), 'linked relative to the report, URL-encoded');
  });

  it('links instead of embedding an image over the per-image or per-page cap, or one whose bytes are not an image', async () => {
    const rows = [makeRow(1, { steps: [imageStep('big', 'big.png'), imageStep('logo', 'logo.png'), imageStep('fake', 'fake.png'), imageStep('gone', 'missing.png')] })];
    const page = await render(rows, { maxImageBytes: 1024 });
    assert.equal(page.match(/data:image/g)?.length, 1);
    assert.match(page, /big\.png<\/a> <span class="muted">image\/png · 1 KB · too large to embed/);
    assert.match(page, /fake\.png<\/a> <span class="muted">image\/png · 1 KB<\/span>/);
    assert.match(page, /missing\.png<\/a> <span class="muted">image\/png · 1 KB · file missing/);
    assert.doesNotMatch(page, /onload/);
    const spent = await render(rows, { maxEmbeddedBytes: 10 });
    assert.equal(spent.match(/data:image/g), null);
    assert.match(spent, /not embedded: the page holds enough images already/);
  });

  it('renders every row with its status for the filter, and none hidden without JavaScript', async () => {
    const page = await render([makeRow(0), makeFailedRow(1, 'boom'), makeRow(2, { status: 'interrupted' })]);
    assert.deepEqual([...page.matchAll(/<article class="row" id="row-(\d+)" data-status="(\w+)">/g)].map((match) => `${match[1]}:${match[2]}`), ['0:succeeded', '1:failed', '2:interrupted']);
    assert.doesNotMatch(page, /\shidden/);
    assert.match(page, /<a href="#all">all<\/a> <a href="#succeeded">succeeded<\/a> <a href="#failed">failed<\/a>/);
    assert.match(page, /<p class="error"><code>E_PREDICTION_FAILED<\/code> in step <b>logo<\/b>: boom<\/p>/);
  });

  it('caps the rows rendered, keeps rendering failed rows a while after the cap, and says so', async () => {
    async function* rows() {
      for (let index = 0; index < 50; index += 1) yield index % 10 === 9 ? makeFailedRow(index, 'boom') : makeRow(index);
    }
    const page = await render(rows(), { maxRows: 20, maxExtraFailedRows: 2 });
    const ids = [...page.matchAll(/<article class="row" id="row-(\d+)"/g)].map((match) => Number(match[1]));
    assert.deepEqual(ids, [...Array.from({ length: 20 }, (_, index) => index), 29, 39]);
    assert.match(page, /This page shows 22 of 50 rows: the first 20, then failed rows only\. Every row is in <code>outputs\/batch\/results\.jsonl<\/code>/);
  });

  it('cuts a huge text value and says how much is left out', async () => {
    const page = await render([makeRow(0, { steps: [makeStep({ output: 'y'.repeat(25_000) })] })]);
    assert.match(page, /y{20000}… \(5,000 more characters\)<\/pre>/);
  });
});
