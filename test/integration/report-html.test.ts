/**
 * Opens a rendered batch report in headless Chromium (Debian's `chromium` package) and checks what
 * a user sees: the rows, the failed row's error, the thumbnail, and the status filter after the
 * page's own script has run. Set REPORT_TEST_ARTIFACTS=<dir> to keep the page and a screenshot.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { renderHtmlReport } from '../../src/report/html.js';
import { isValidPng, makePng } from '../support/png.js';
import { makeFailedRow, makeRow, makeStep, makeSummary } from '../support/report-rows.js';

// CHROMIUM_PATH lets machines without Debian's package (e.g. GitHub's runners, which ship Chrome) point at theirs.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_TIMEOUT_MS = 60_000;
// Without the networking flags Chromium keeps dialling Google on this closed network; as root it needs --no-sandbox.
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium package (.ci/run does: apt-get install -y chromium)`);
}
const skip = missing ? `${CHROMIUM} is not installed (apt-get install -y chromium); the report's browser test is skipped` : false;

/** Runs Chromium once with a fresh profile, a time limit, and its whole process group killed on every path. */
async function runChromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'report-chromium-'));
  const child = spawn(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone: nothing to kill.
    }
  };
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, CHROMIUM_TIMEOUT_MS);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    assert.ok(!timedOut, `chromium did not finish within ${CHROMIUM_TIMEOUT_MS} ms`);
    assert.equal(code, 0, `chromium exited with ${code}: ${stderr.slice(-2000)}`);
    return stdout;
  } finally {
    clearTimeout(timer);
    killGroup();
    await rm(profile, { recursive: true, force: true });
  }
}

/** The DOM after the page's scripts ran, as `--dump-dom` prints it. */
function dumpDom(url: string, extraArgs: string[] = []): Promise<string> {
  return runChromium([...extraArgs, '--dump-dom', url]);
}

function articles(dom: string): Array<{ id: string; status: string; hidden: boolean; html: string }> {
  return [...dom.matchAll(/<article class="row" id="(row-\d+)" data-status="(\w+)"( hidden="")?>([\s\S]*?)<\/article>/g)].map((match) => ({
    id: match[1]!,
    status: match[2]!,
    hidden: match[3] !== undefined,
    html: match[4]!,
  }));
}

describe('the HTML report in headless Chromium', { skip }, () => {
  let directory: string;
  let reportUrl: string;
  const png = makePng(96, 64, 5);

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'report-html-integration-'));
    await mkdir(join(directory, 'out', 'row-1'), { recursive: true });
    await writeFile(join(directory, 'out', 'row-1', 'logo.png'), png);
    const hostile = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`;
    const rows = [
      makeRow(0, { inputs: { product: `socks ${hostile}` }, steps: [makeStep({ output: `Sock It To Me ${hostile}` })] }),
      makeRow(1, {
        inputs: { product: 'hats' },
        steps: [
          makeStep({ output: 'Hat Trick' }),
          makeStep({ id: 'logo', model: 'stability-ai/stable-diffusion:db21e45d', output: 'https://replicate.delivery/logo.png', files: [{ path: 'out/row-1/logo.png', url: 'https://replicate.delivery/logo.png', bytes: png.byteLength, content_type: 'image/png' }] }),
        ],
      }),
      makeFailedRow(2, 'NSFW content detected in the output', { inputs: { product: 'gloves' } }),
      makeRow(3, { inputs: { product: 'scarves' } }),
    ];
    const summary = makeSummary({ rows_total: 4, rows_succeeded: 3, rows_failed: 1, rows_skipped: 0 });
    const reportPath = join(directory, 'report.html');
    await writeFile(reportPath, await renderHtmlReport(rows, summary, { reportPath, baseDirectory: directory }));
    reportUrl = pathToFileURL(reportPath).href;
  });

  after(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('shows every row, the failed row’s error and the image as a data: thumbnail, and runs no model markup', async () => {
    const dom = await dumpDom(reportUrl);
    const rows = articles(dom);
    assert.deepEqual(rows.map((row) => `${row.id}:${row.status}:${row.hidden}`), ['row-0:succeeded:false', 'row-1:succeeded:false', 'row-2:failed:false', 'row-3:succeeded:false']);
    assert.match(rows[2]!.html, /<p class="error"><code>E_PREDICTION_FAILED<\/code> in step <b>logo<\/b>: NSFW content detected in the output<\/p>/);
    const image = /<img class="thumb" src="data:image\/png;base64,([^"]+)" alt="logo output 1">/.exec(rows[1]!.html);
    assert.ok(image, 'row 1 shows the logo as an embedded image');
    assert.ok(isValidPng(Buffer.from(image[1]!, 'base64')));
    assert.ok(rows[0]!.html.includes('Sock It To Me &lt;img src=x onerror="document.title=\'pwned\'"&gt;&lt;script&gt;'), 'the hostile output shows as text');
    assert.match(dom, /<title>logo — batch failed<\/title>/, 'no injected script or handler ran');
    assert.match(dom, /<span class="muted" id="shown">4 of 4 rows shown<\/span>/, 'the page script ran');
  });

  it('opens pre-filtered to failed rows from #failed, and to succeeded rows from #succeeded', async () => {
    const failed = articles(await dumpDom(`${reportUrl}#failed`));
    assert.deepEqual(failed.filter((row) => !row.hidden).map((row) => row.id), ['row-2']);
    assert.equal(failed.length, 4, 'the other rows are hidden, not removed');
    const succeeded = articles(await dumpDom(`${reportUrl}#succeeded`));
    assert.deepEqual(succeeded.filter((row) => !row.hidden).map((row) => row.id), ['row-0', 'row-1', 'row-3']);
  });

  it('shows every row and hides the filter bar without JavaScript', async () => {
    // --dump-dom itself needs JavaScript (--blink-settings=scriptEnabled=false prints nothing), so
    // the page is loaded without its script instead: the same as a browser that runs none.
    const page = await readFile(new URL(reportUrl), 'utf8');
    const withoutScript = join(directory, 'report-without-script.html');
    await writeFile(withoutScript, page.replace(/<script>[\s\S]*?<\/script>/, ''));
    const dom = await dumpDom(`${pathToFileURL(withoutScript).href}#failed`);
    assert.equal(articles(dom).filter((row) => !row.hidden).length, 4);
    assert.doesNotMatch(dom, /<html[^>]*class="[^"]*\bjs\b/, 'the filter bar only appears once the script can drive it');
  });

  it('renders a screenshot of the page', async () => {
    const screenshot = join(directory, 'report.png');
    await runChromium([`--screenshot=${screenshot}`, '--window-size=1200,900', '--hide-scrollbars', reportUrl]);
    const bytes = await readFile(screenshot);
    assert.ok(isValidPng(bytes), 'chromium wrote a PNG');
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [1200, 900]);
    const keep = process.env.REPORT_TEST_ARTIFACTS;
    if (keep) {
      await mkdir(keep, { recursive: true });
      await copyFile(screenshot, join(keep, 'report.png'));
      await copyFile(join(directory, 'report.html'), join(keep, 'report.html'));
    }
  });
});
