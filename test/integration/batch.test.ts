/**
 * Batch runs through main(), in-process, against the local Replicate server: inputs formats, one
 * results line per row, resume without requests, retry of failed rows, refusal of a changed
 * pipeline, auth stops, interrupts, shards and merge, and the exit codes a CI job reads.
 */
import assert from 'node:assert/strict';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { readResultLines, succeededByInput, succeededCount, TWO_STEP_PIPELINE, writeRows } from '../support/batch-helpers.js';
import { makeTempDir, runMain, writePipeline } from '../support/cli.js';
import { dollyModel, stableDiffusionModel } from '../support/models.js';
import { waitUntil } from '../support/replicate-client.js';
import { startReplicateServer, type ReplicateServer } from '../support/replicate-server.js';

let server: ReplicateServer;
let temp: { path: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;
let pipeline: string;
let counter = 0;

before(async () => {
  server = await startReplicateServer({ models: [dollyModel({ tokenIntervalMs: 1 }), stableDiffusionModel()], maxSyncWaitMs: 100 });
  temp = await makeTempDir();
  env = { REPLICATE_API_TOKEN: server.token, REPLICATE_BASE_URL: server.url, REPLICATE_POLL_INTERVAL: '0.01', RUN_PIPELINE_CACHE_DIR: `${temp.path}/cache` };
  pipeline = await writePipeline(temp.path, 'two-step.yaml', TWO_STEP_PIPELINE);
});
after(async () => {
  await server.close();
  await temp.cleanup();
});
beforeEach(() => server.reset());

/** A fresh folder per test, so results files never mix. */
function folder(): string {
  counter += 1;
  return join(temp.path, `case-${counter}`);
}

describe('a batch', () => {
  test('runs every row once, writes one results line per row and files under <out-dir>/<key>/', async () => {
    const directory = folder();
    const rows = await writeRows(temp.path, `rows-${counter}.jsonl`, 12);
    const result = await runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--concurrency', '4'], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = await readResultLines(join(directory, 'results.jsonl'));
    assert.equal(lines.length, 12);
    assert.equal(new Set(lines.map((line) => line.key)).size, 12);
    assert.ok(lines.every((line) => line.status === 'succeeded' && line.steps.length === 2));
    assert.equal(server.creates().length, 24);
    assert.equal(result.stdout.trim(), join(directory, 'results.jsonl'));
    const summary = JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8')) as { rows_total: number; rows_succeeded: number; predictions: number; status: string };
    assert.deepEqual([summary.rows_total, summary.rows_succeeded, summary.predictions, summary.status], [12, 12, 24, 'succeeded']);

    server.reset();
    const again = await runMain([pipeline, '--inputs', rows, '--out-dir', directory], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.requests.filter((request) => request.path.includes('/predictions')).length, 0, 'finished rows cost no request');
    assert.equal((await readResultLines(join(directory, 'results.jsonl'))).length, 12, 'still one line per row');
  });

  test('reports progress in CI as plain lines, with the total and an ETA from a counting pass', async () => {
    const directory = folder();
    const rows = await writeRows(temp.path, `rows-${counter}.jsonl`, 5);
    const result = await runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--concurrency', '2'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /5\/5 rows \(100%\)/);
    assert.match(result.stderr, /ETA/);
    assert.doesNotMatch(result.stderr, /\r|\u001b\[/, 'no terminal control characters without a TTY');
  });

  test('rows read text as a stream and stop at a stop sequence, like a single run', async () => {
    const directory = folder();
    const stopping = await writePipeline(temp.path, `stop-${counter}.yaml`, 'steps:\n  - id: name\n    model: replicate/dolly-v2-12b:ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5\n    template: "{{input}}"\n    stop: "STOP"\n');
    const rows = join(temp.path, `stop-${counter}.jsonl`);
    await writeFile(rows, '"one two STOP three four"\n"five STOP six"\n');
    const result = await runMain([stopping, '--inputs', rows, '--out-dir', directory], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = await readResultLines(join(directory, 'results.jsonl'));
    assert.deepEqual(lines.map((line) => line.steps[0]?.output).sort(), ['Name for: five ', 'Name for: one two ']);
    assert.equal(server.requests.filter((request) => request.path.startsWith('/v1/stream/')).length, 2, 'each row read its prediction\'s stream');
    assert.equal(server.cancels().length, 2, 'each row canceled its generation at the stop');
  });

  test('saves each row\'s files in its own folder', async () => {
    const directory = folder();
    const image = await writePipeline(temp.path, 'image.yaml', 'steps:\n  - id: logo\n    model: stability-ai/stable-diffusion:db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf\n    template: "{{input}}"\n');
    const rows = join(temp.path, 'images.csv');
    await writeFile(rows, 'id,input\nsocks,"striped, woolly socks"\nhats,"a hat\nwith a line break"\n');
    const result = await runMain([image, '--inputs', rows, '--out-dir', directory], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = await readResultLines(join(directory, 'results.jsonl'));
    assert.deepEqual(lines.map((line) => line.key).sort(), ['hats', 'socks']);
    for (const line of lines) {
      assert.equal(line.out_dir, join(directory, line.key));
      assert.ok((await stat(join(directory, line.key, 'logo.png'))).size > 0);
    }
    const prompts = server.creates().map((request) => (request.body as { input: { prompt: string } }).input.prompt).sort();
    assert.deepEqual(prompts, ['a hat\nwith a line break', 'striped, woolly socks']);
  });

  test('a bad row fails alone without a request; failures keep exit 1 until --retry-failed fixes them', async () => {
    const directory = folder();
    const rows = join(temp.path, `mixed-${counter}.jsonl`);
    await writeFile(rows, '{"id":"good","input":"socks"}\n{"id":"typo","inptu":"hats"}\nnot json\n"bare string row"\n');
    const result = await runMain([pipeline, '--inputs', rows, '--out-dir', directory], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--retry-failed/);
    const lines = await readResultLines(join(directory, 'results.jsonl'));
    assert.equal(lines.length, 4);
    const typo = lines.find((line) => line.key === 'typo');
    assert.equal(typo?.status, 'failed');
    assert.match(typo?.error?.message ?? '', /"inptu" is not an input.*did you mean "input"/);
    assert.equal(server.creates().length, 4, 'only the two good rows made predictions');

    server.reset();
    const again = await runMain([pipeline, '--inputs', rows, '--out-dir', directory], { env });
    assert.equal(again.code, 1, 'earlier failures still fail the batch');
    assert.equal(server.creates().length, 0);

    await writeFile(rows, '{"id":"good","input":"socks"}\n{"id":"typo","input":"hats"}\nnot json\n"bare string row"\n');
    const retried = await runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--retry-failed'], { env });
    assert.equal(retried.code, 1, 'the line that is not JSON still fails');
    const after = await readResultLines(join(directory, 'results.jsonl'));
    assert.equal(after.length, 4, 'the corrected row replaced its failed line; no key has two lines');
    assert.equal(new Set(after.map((line) => line.key)).size, after.length);
    assert.equal(after.find((line) => line.key === 'typo')?.status, 'succeeded');
  });

  test('writes JUnit, the HTML report and the GitHub step summary from the results', async () => {
    const directory = folder();
    const rows = join(temp.path, `reports-${counter}.jsonl`);
    await writeFile(rows, '{"id":"good","input":"socks"}\n{"id":"typo","inptu":"hats"}\n');
    const stepSummary = join(temp.path, `step-summary-${counter}.md`);
    const result = await runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--junit', join(directory, 'junit.xml'), '--report', join(directory, 'report.html')], { env: { ...env, GITHUB_STEP_SUMMARY: stepSummary } });
    assert.equal(result.code, 1, result.stderr);
    const junit = await readFile(join(directory, 'junit.xml'), 'utf8');
    assert.equal(junit.match(/<testcase /g)?.length, 2);
    assert.match(junit, /<testsuites name="run-pipeline" tests="2" failures="1"/);
    assert.match(junit, /<testcase name="typo"[\s\S]*?<failure type="E_USAGE"/);
    const html = await readFile(join(directory, 'report.html'), 'utf8');
    assert.ok(html.includes('good') && html.includes('typo'), 'the report shows both rows');
    const markdown = await readFile(stepSummary, 'utf8');
    assert.match(markdown, /typo/, 'the step summary lists the failed row');
  });

  test('--retry-failed reruns only the failed step, reusing the steps that succeeded', async () => {
    const directory = folder();
    const rows = await writeRows(temp.path, `retry-${counter}.jsonl`, 3);
    server.inject({ method: 'POST', path: '/v1/predictions', times: 1, status: 422, body: { detail: 'injected rejection', status: 422 } });
    const first = await runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--concurrency', '1'], { env });
    assert.equal(first.code, 1);
    const failedRow = (await readResultLines(join(directory, 'results.jsonl'))).find((line) => line.status === 'failed');
    assert.ok(failedRow);
    server.reset();
    const retried = await runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--retry-failed'], { env });
    assert.equal(retried.code, 0, retried.stderr);
    const lines = await readResultLines(join(directory, 'results.jsonl'));
    assert.equal(lines.length, 3);
    assert.ok(lines.every((line) => line.status === 'succeeded'));
    const succeededBefore = failedRow.steps.filter((step) => step.status === 'succeeded').length;
    assert.equal(server.creates().length, 2 - succeededBefore, 'only the unfinished steps of the failed row were paid for');
  });

  test('a changed pipeline file is refused with exit 2 until --fresh', async () => {
    const directory = folder();
    const rows = await writeRows(temp.path, `changed-${counter}.jsonl`, 2);
    const file = await writePipeline(temp.path, `changing-${counter}.yaml`, TWO_STEP_PIPELINE);
    assert.equal((await runMain([file, '--inputs', rows, '--out-dir', directory], { env })).code, 0);
    await writeFile(file, TWO_STEP_PIPELINE.replace('Describe', 'Explain'));
    server.reset();
    const refused = await runMain([file, '--inputs', rows, '--out-dir', directory], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /E_PIPELINE_CHANGED/);
    assert.match(refused.stderr, /--fresh/);
    assert.equal(server.creates().length, 0);
    const fresh = await runMain([file, '--inputs', rows, '--out-dir', directory, '--fresh'], { env });
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(server.creates().length, 4);
    assert.equal((await readResultLines(join(directory, 'results.jsonl'))).length, 2);
  });

  test('a torn last line is dropped and its row finished again, never duplicated', async () => {
    const directory = folder();
    const rows = await writeRows(temp.path, `torn-${counter}.jsonl`, 3);
    assert.equal((await runMain([pipeline, '--inputs', rows, '--out-dir', directory], { env })).code, 0);
    const results = join(directory, 'results.jsonl');
    const text = await readFile(results, 'utf8');
    const lines = text.trimEnd().split('\n');
    // What kill -9 in the middle of a write leaves: the last line cut short.
    await writeFile(results, `${lines.slice(0, 2).join('\n')}\n${(lines[2] ?? '').slice(0, 40)}`);
    server.reset();
    const again = await runMain([pipeline, '--inputs', rows, '--out-dir', directory], { env });
    assert.equal(again.code, 0, again.stderr);
    const after = await readResultLines(results);
    assert.equal(after.length, 3);
    assert.equal(new Set(after.map((line) => line.key)).size, 3);
  });

  test('an inputs file that cannot be read, or a CSV with a broken header, is exit 2', async () => {
    const missing = await runMain([pipeline, '--inputs', join(temp.path, 'nope.jsonl'), '--out-dir', folder()], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /E_FILE/);
    const csv = join(temp.path, 'bad-header.csv');
    await writeFile(csv, 'input,input\na,b\n');
    const bad = await runMain([pipeline, '--inputs', csv, '--out-dir', folder()], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /names "input" twice/);
    assert.equal(server.creates().length, 0);
  });

  test('reads rows from stdin with --inputs -', async () => {
    const directory = folder();
    const stdin = new PassThrough();
    stdin.end('"socks"\n"hats"\n');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const code = await main([pipeline, '--inputs', '-', '--out-dir', directory], { stdout, stderr, env, cwd: temp.path, stdin });
    assert.equal(code, 0);
    assert.equal((await readResultLines(join(directory, 'results.jsonl'))).length, 2);
  });
});

describe('stopping early', () => {
  test('a rejected token stops the batch at once, prints the resume command, and fails no row', async () => {
    const directory = folder();
    const rows = await writeRows(temp.path, `auth-${counter}.jsonl`, 10);
    const slow = await writePipeline(temp.path, 'auth.yaml', TWO_STEP_PIPELINE);
    // The account is refused once the batch is under way (credit ran out).
    let creates = 0;
    const result = await (async () => {
      const pending = runMain([slow, '--inputs', rows, '--out-dir', directory, '--concurrency', '2'], { env });
      await waitUntil(() => ((creates = server.creates().length) >= 2 ? true : undefined), { timeoutMs: 10_000 });
      server.inject({ method: 'POST', path: '/v1/predictions', times: Infinity, status: 402, body: { title: 'Payment required', detail: 'You have insufficient credit', status: 402 } });
      return pending;
    })();
    assert.ok(creates >= 2);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_AUTH/);
    assert.match(result.stderr, /resume with: run-pipeline .*--inputs/);
    const lines = await readResultLines(join(directory, 'results.jsonl'));
    assert.ok(lines.every((line) => line.status === 'succeeded'), 'no row is recorded as failed for the account\'s problem');
    assert.ok(lines.length < 10);
    const refused = server.creates().filter((request) => request.status === 402).length;
    assert.ok(refused <= 4, `stopped at once, not after every row (${refused} refused creates)`);
    assert.equal(server.running().length, 0, 'nothing left running');
  });

  test('--max-failures stops taking rows, counts the rest as unfinished, exit 1', async () => {
    const directory = folder();
    const rows = join(temp.path, `maxfail-${counter}.jsonl`);
    await writeFile(rows, `${Array.from({ length: 20 }, (_, index) => JSON.stringify({ id: `r${index}`, wrong: 'x' })).join('\n')}\n`);
    const result = await runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--max-failures', '3', '--concurrency', '1', '--json'], { env });
    assert.equal(result.code, 1);
    const summary = JSON.parse(result.stdout) as { rows_total: number; rows_failed: number; rows_unfinished: number; status: string };
    assert.equal(summary.status, 'stopped');
    assert.equal(summary.rows_failed, 3);
    assert.equal(summary.rows_total, 20);
    assert.equal(summary.rows_unfinished, 17);
  });

  test('an interrupt cancels what runs, flushes results, exits 130; the re-run finishes without paying twice', async () => {
    const directory = folder();
    const rows = await writeRows(temp.path, `interrupt-${counter}.jsonl`, 16);
    const controller = new AbortController();
    const pending = runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--concurrency', '4'], { env, signal: controller.signal });
    await waitUntil(() => (server.creates().length >= 8 ? true : undefined), { timeoutMs: 10_000 });
    controller.abort();
    const result = await pending;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /resume with:/);
    const known = new Set(server.requests.flatMap((request) => /^\/v1\/predictions\/(\w+)/.exec(request.path)?.[1] ?? []));
    assert.deepEqual(server.running().filter((prediction) => known.has(prediction.id)), [], 'every prediction the tool knew of was canceled');
    // A create aborted while its answer was held has no id to cancel: the re-run adopts it instead.
    await waitUntil(() => (server.running().length === 0 ? true : undefined), { timeoutMs: 5000 });
    const finishedFirst = (await readResultLines(join(directory, 'results.jsonl'))).length;
    assert.ok(finishedFirst < 16);
    const again = await runMain([pipeline, '--inputs', rows, '--out-dir', directory], { env });
    assert.equal(again.code, 0, again.stderr);
    const lines = await readResultLines(join(directory, 'results.jsonl'));
    assert.equal(lines.length, 16);
    assert.equal(new Set(lines.map((line) => line.key)).size, 16);
    assert.equal(succeededCount(server), 32, 'every step succeeded once: interrupted steps were canceled or adopted, never bought twice');
    assert.ok([...succeededByInput(server).values()].every((count) => count === 1));
  });
});

describe('shards and merge', () => {
  test('shards split the rows with no overlap, and merge combines them into one line per row', async () => {
    const directory = folder();
    const rows = await writeRows(temp.path, `shards-${counter}.jsonl`, 15);
    const results: string[] = [];
    let total = 0;
    for (const shard of ['1/3', '2/3', '3/3']) {
      const result = await runMain([pipeline, '--inputs', rows, '--out-dir', directory, '--shard', shard, '--json'], { env });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, new RegExp(`\\(shard ${shard.replace('/', ' of ')}\\)`), 'the summary names the shard as it was given');
      total += (JSON.parse(result.stdout) as { rows_total: number }).rows_total;
      results.push(join(directory, `results-${shard.replace('/', '-of-')}.jsonl`));
    }
    assert.equal(total, 15, 'every row in exactly one shard');
    assert.equal(server.creates().length, 30);
    // A row finished twice (a shard re-run elsewhere, say): merge keeps one line.
    await appendFile(results[0] as string, `${JSON.stringify({ ...(await readResultLines(results[1] as string))[0], status: 'failed' })}\n`);
    const merged = join(directory, 'merged.jsonl');
    const result = await runMain(['merge', ...results, '--output', merged], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = await readResultLines(merged);
    assert.equal(lines.length, 15);
    assert.equal(new Set(lines.map((line) => line.key)).size, 15);
    assert.ok(lines.every((line) => line.status === 'succeeded'), 'a succeeded line beats a failed one');
  });
});
