import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createProgress, describeProgress, type ProgressSnapshot } from '../../src/cli/progress.js';

function sink(columns?: number): Writable & { text: () => string; writes: string[]; columns?: number } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      writes.push(String(chunk));
      callback();
    },
  }) as Writable & { text: () => string; writes: string[]; columns?: number };
  stream.writes = writes;
  stream.text = () => writes.join('');
  if (columns !== undefined) stream.columns = columns;
  return stream;
}

function at(seconds: number, overrides: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return { done: seconds, failed: 1, skipped: 0, running: 4, total: 200, computeSeconds: seconds * 2.5, startedAt: 0, now: seconds * 1000, ...overrides };
}

describe('createProgress without a terminal', () => {
  it('writes plain lines with no control characters', () => {
    const stream = sink();
    const progress = createProgress(stream, { tty: false });
    for (let second = 0; second <= 60; second += 1) progress.update(at(second));
    progress.finish(at(61, { done: 199, running: 0 }));
    assert.doesNotMatch(stream.text(), /[\u0000-\u0009\u000b-\u001f\u007f]/, 'only newlines');
    assert.ok(stream.text().endsWith('\n'));
  });

  it('writes at most one line per interval, plus one at the finish', () => {
    const stream = sink();
    const progress = createProgress(stream, { tty: false, intervalMs: 5000 });
    for (let tenth = 0; tenth <= 300; tenth += 1) progress.update(at(tenth / 10));
    assert.equal(stream.writes.length, 7, 'at 0, 5, 10, 15, 20, 25 and 30 s');
    progress.finish(at(31));
    progress.update(at(60));
    progress.finish(at(61));
    assert.equal(stream.writes.length, 8);
    assert.match(stream.writes[1]!, /^progress: 5\/200 rows \(2%\) · 1 failed · 4 running · 60\.0 rows\/min · ETA 3m 15s · 12\.5 s compute · 5\.0 s elapsed\n$/);
    assert.match(stream.writes[7]!, /^finished: 31\/200 rows/);
  });
});

describe('createProgress on a terminal', () => {
  it('redraws one line in place with a bar, at most ten times a second', () => {
    const stream = sink();
    const progress = createProgress(stream, { tty: true });
    for (let millisecond = 0; millisecond <= 1000; millisecond += 10) progress.update(at(millisecond / 1000, { done: 100 }));
    assert.equal(stream.writes.length, 11);
    assert.ok(stream.writes.every((write) => write.startsWith('\r\u001b[2K') && !write.includes('\n')));
    assert.match(stream.writes[0]!, /██████████░░░░░░░░░░ 100\/200 rows \(50%\)/);
    progress.finish(at(2, { done: 200, running: 0 }));
    assert.match(stream.text(), /████████████████████ 200\/200 rows \(100%\) · 1 failed · 0 running · .* · ETA 0\.0 s · .*\n$/);
  });

  it('fits the line to the terminal width so \\r can redraw it', () => {
    const stream = sink(40);
    createProgress(stream, { tty: true }).update(at(10));
    assert.equal(stream.writes[0]!.replace('\r\u001b[2K', '').length, 39);
  });

  it('shows no bar and no ETA while the total is unknown', () => {
    const stream = sink();
    createProgress(stream, { tty: true }).update(at(10, { total: null }));
    assert.doesNotMatch(stream.text(), /[█░]|ETA/);
    assert.match(stream.text(), /10 rows · 1 failed/);
  });
});

describe('describeProgress', () => {
  it('counts skipped rows towards the total but not the rate', () => {
    const line = describeProgress(at(60, { done: 30, skipped: 70, total: 200 }));
    assert.match(line, /^100\/200 rows \(50%\) · 1 failed · 70 skipped · 4 running · 30\.0 rows\/min · ETA 3m 20s · 150\.0 s compute · 1m 00s elapsed$/);
  });

  it('has no rate or ETA before the first row finishes', () => {
    assert.match(describeProgress(at(0, { done: 0 })), /— rows\/min · ETA —/);
  });
});
