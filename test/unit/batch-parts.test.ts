/** The batch's pure and file-local parts: row reading and keys, shards, the journal store, the pacing gate. */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { batchPollIntervalMs } from '../../src/cli/batch-command.js';
import { hashKey, readInputRows, type InputRow } from '../../src/run/batch-inputs.js';
import type { BatchRowRecord } from '../../src/run/batch-record.js';
import { folderFor } from '../../src/run/batch-rows.js';
import { openBatchStore } from '../../src/run/journal.js';
import { createPacingGate } from '../../src/run/pacing.js';
import { parseShard, shardOf } from '../../src/run/shard.js';
import { makeTempDir } from '../support/cli.js';

let temp: { path: string; cleanup: () => Promise<void> };
before(async () => {
  temp = await makeTempDir();
});
after(() => temp.cleanup());

async function rowsOf(text: string, format: 'jsonl' | 'csv'): Promise<InputRow[]> {
  const rows: InputRow[] = [];
  for await (const row of await readInputRows({ file: '-', format, stdin: Readable.from([text]) })) rows.push(row);
  return rows;
}

function resultLine(key: string, status: 'succeeded' | 'failed', hash = 'h1'): BatchRowRecord {
  return {
    run_id: 'r', pipeline: { file: 'p.yaml', name: null, hash }, inputs: {}, status, output: null, steps: [],
    started_at: '', completed_at: '', duration_ms: 1, key, row: 0, out_dir: '',
    summary: { predictions: 0, compute_seconds: 0, wall_seconds: 0, queue_seconds: 0 },
  };
}

describe('input rows', () => {
  test('JSONL: objects, bare strings, ids as keys, and bad lines as row problems', async () => {
    const rows = await rowsOf('{"id":"a","input":"x"}\n"plain"\n\n{"input":1}\nnot json\n[1]\n', 'jsonl');
    assert.deepEqual(rows.map((row) => row.index), [0, 1, 2, 3, 4]);
    assert.equal(rows[0]?.key, 'a');
    assert.equal(rows[1]?.bare, 'plain');
    assert.equal(rows[1]?.key, hashKey({ input: 'plain' }), 'a bare row keys like {"input": ...}');
    assert.equal(rows[2]?.values.input, '1');
    assert.match(rows[3]?.problem ?? '', /not JSON/);
    assert.match(rows[4]?.problem ?? '', /object or a string/);
  });

  test('the hash key ignores key order', () => {
    assert.equal(hashKey({ a: '1', b: '2' }), hashKey({ b: '2', a: '1' }));
    assert.match(hashKey({ a: '1' }), /^[0-9a-f]{16}$/);
  });

  test('CSV: quoted commas and line breaks, a BOM, and a single column as the input', async () => {
    const rows = await rowsOf('\uFEFFid,input\n1,"a, b"\n2,"two\nlines"\n', 'csv');
    assert.deepEqual(rows.map((row) => row.values), [{ id: '1', input: 'a, b' }, { id: '2', input: 'two\nlines' }]);
    const single = await rowsOf('product\nsocks\nhats\n', 'csv');
    assert.deepEqual(single.map((row) => row.bare), ['socks', 'hats']);
    const ragged = await rowsOf('a,b\n1\n', 'csv');
    assert.match(ragged[0]?.problem ?? '', /1 columns, the header 2/);
  });

  test('folders for keys are safe and distinct', () => {
    assert.equal(folderFor('row-1'), 'row-1');
    assert.match(folderFor('../etc/passwd'), /^etc_passwd-[0-9a-f]{8}$/);
    assert.notEqual(folderFor('a/b'), folderFor('a_b'));
  });
});

describe('shards', () => {
  test('parse i/n and partition keys stably', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.throws(() => parseShard('0/4'), /--shard/);
    assert.throws(() => parseShard('5/4'), /--shard/);
    const keys = Array.from({ length: 400 }, (_, index) => `row-${index}`);
    const sizes = [1, 2, 3, 4].map((shard) => keys.filter((key) => shardOf(key, 4) === shard).length);
    assert.equal(sizes.reduce((sum, size) => sum + size, 0), 400);
    assert.ok(sizes.every((size) => size > 50), `roughly even: ${sizes.join(', ')}`);
    assert.equal(shardOf('row-7', 4), shardOf('row-7', 4));
  });
});

describe('the journal store', () => {
  test('drops a torn last line, keeps the better of two lines for a key, and resumes from the journal', async () => {
    const results = join(temp.path, 'store-1.jsonl');
    const journal = `${results}.journal`;
    await writeFile(results, `${JSON.stringify(resultLine('a', 'failed'))}\n${JSON.stringify(resultLine('a', 'succeeded'))}\n${JSON.stringify(resultLine('b', 'failed'))}\n{"key":"c","sta`);
    await writeFile(journal, `${JSON.stringify({ key: 'd', row: 3, pipeline_hash: 'h1', steps: [] })}\n{"key":"d","row":3,"pipeline_hash":"h1","steps":[{"id":"x"}]}\n{"torn`);
    const store = await openBatchStore({ resultsPath: results, journalPath: journal, pipelineHash: 'h1' });
    assert.deepEqual(store.report, { succeeded: 1, failed: 1, resumable: 1, droppedLines: 2, duplicateLines: 1 });
    assert.equal(store.status('a'), 'succeeded');
    assert.equal(store.status('b'), 'failed');
    assert.equal(store.status('c'), undefined);
    assert.deepEqual(store.resumeSteps('d'), [{ id: 'x' }]);
    store.finish(resultLine('d', 'succeeded'));
    assert.throws(() => store.finish(resultLine('d', 'succeeded')), /already/);
    await store.close();
    const lines = (await readFile(results, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as BatchRowRecord);
    assert.deepEqual(lines.map((line) => `${line.key}:${line.status}`), ['a:succeeded', 'b:failed', 'd:succeeded']);
    await assert.rejects(readFile(journal), /ENOENT/, 'nothing unfinished: no journal left');
  });

  test('--retry-failed takes failed rows out of the results and keeps their steps to resume', async () => {
    const results = join(temp.path, 'store-2.jsonl');
    const failed = { ...resultLine('b', 'failed'), steps: [{ id: 'first' }] as unknown as BatchRowRecord['steps'] };
    await writeFile(results, `${JSON.stringify(resultLine('a', 'succeeded'))}\n${JSON.stringify(failed)}\n`);
    const store = await openBatchStore({ resultsPath: results, journalPath: `${results}.journal`, pipelineHash: 'h1', retryFailed: true });
    assert.equal(store.status('b'), undefined);
    assert.deepEqual(store.resumeSteps('b'), [{ id: 'first' }]);
    assert.equal((await readFile(results, 'utf8')).trimEnd().split('\n').length, 1);
    await store.close();
  });

  test('results of another pipeline version are refused, and nothing is touched', async () => {
    const results = join(temp.path, 'store-3.jsonl');
    const text = `${JSON.stringify(resultLine('a', 'succeeded', 'old'))}\n`;
    await writeFile(results, text);
    await assert.rejects(openBatchStore({ resultsPath: results, journalPath: `${results}.journal`, pipelineHash: 'new' }), { code: 'E_PIPELINE_CHANGED' });
    assert.equal(await readFile(results, 'utf8'), text);
    const fresh = await openBatchStore({ resultsPath: results, journalPath: `${results}.journal`, pipelineHash: 'new', fresh: true });
    assert.equal(fresh.status('a'), undefined);
    await fresh.close();
    assert.equal(await readFile(`${results}.bak`, 'utf8'), text, 'the old results are kept aside');
  });
});

describe('the pacing gate', () => {
  test('a 429 cuts the rate below what the API accepted, successes raise it again', async () => {
    let clock = 0;
    const gate = createPacingGate({ initialRate: 10, now: () => clock });
    for (let index = 0; index < 20; index++) {
      await gate.acquire();
      gate.onAccepted();
      clock += 100;
    }
    gate.onThrottled(1);
    const cut = gate.stats().rate;
    assert.ok(cut <= 10 * 0.85 + 1e-9, `cut to at most 85% of the 10 creates accepted in the last second (${cut})`);
    gate.onThrottled(1);
    assert.equal(gate.stats().cuts, 1, 'throttles right after a cut are the same congestion event');
    assert.equal(gate.stats().throttled, 2);
  });

  test('waiting creates are released in order and an aborted wait leaves the queue', async () => {
    const gate = createPacingGate({ initialRate: 1000 });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map(async (index) => {
      await gate.acquire();
      order.push(index);
    }));
    assert.deepEqual(order, [0, 1, 2, 3]);
    const slow = createPacingGate({ initialRate: 0.1 });
    await slow.acquire();
    const controller = new AbortController();
    const waiting = slow.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
  });
});

describe('batch polling', () => {
  test('widens the poll interval with concurrency so all rows together stay under ~2000 GETs a minute', () => {
    assert.equal(batchPollIntervalMs(500, 4), 500, 'a small batch polls like a single run');
    assert.equal(batchPollIntervalMs(500, 64), 1920);
    assert.ok((64 * 60_000) / batchPollIntervalMs(500, 64) <= 2000);
    assert.equal(batchPollIntervalMs(3000, 64), 3000, 'a slower REPLICATE_POLL_INTERVAL is kept');
  });
});
