import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PipelineInvalidError, UsageError } from '../../src/errors.js';
import { MAX_FILE_BYTES, loadPipeline } from '../../src/pipeline/index.js';
import { ROOT } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'pipeline-load-'));
function file(name: string, content: string | Uint8Array): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

/** Loads `path`, expecting a usage error; returns code, position and the error. */
async function failure(path: string): Promise<{ code: string; at: string; error: UsageError }> {
  try {
    await loadPipeline(path);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), `one-line message: ${error.message}`);
    const location = error.location;
    return { code: error.code, at: location ? `${location.line}:${location.column}` : '-', error };
  }
  assert.fail(`${path} loaded`);
}

const STEP = 'steps:\n  - id: a\n    model: owner/model\n    template: "{{input}}"\n';

describe('loadPipeline robustness', () => {
  it('loads a good file and hashes its bytes', async () => {
    const { pipeline, diagnostics } = await loadPipeline(file('good.yaml', STEP));
    assert.deepEqual(diagnostics, []);
    assert.match(pipeline.hash, /^[0-9a-f]{64}$/);
  });

  it('refuses a missing file, a directory and an unreadable file with E_FILE', async () => {
    assert.equal((await failure(join(directory, 'nope.yaml'))).code, 'E_FILE');
    const folder = join(directory, 'folder.yaml');
    mkdirSync(folder);
    assert.equal((await failure(folder)).code, 'E_FILE');
    const locked = file('locked.yaml', STEP);
    chmodSync(locked, 0o000);
    if (process.getuid?.() !== 0) {
      assert.equal((await failure(locked)).code, 'E_FILE');
    } else {
      // root reads any file, so read it as an unprivileged user through the built CLI instead.
      chmodSync(directory, 0o755);
      const result = spawnSync(process.execPath, [join(ROOT, 'dist/bin.js'), 'check', locked], { uid: 65534, gid: 65534, encoding: 'utf8' });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /permission denied \[E_FILE\]/);
    }
  });

  it('refuses empty, binary, non-UTF-8 and oversized files', async () => {
    assert.equal((await failure(file('empty.yaml', ''))).code, 'E_FILE');
    assert.equal((await failure(file('blank.yaml', '\n\n   \n'))).code, 'E_FILE');
    assert.equal((await failure(file('binary.yaml', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13])))).code, 'E_FILE');
    const latin1 = await failure(file('latin1.yaml', Buffer.concat([Buffer.from('name: ok\nsteps: caf'), Buffer.from([0xe9]), Buffer.from('\n')])));
    assert.deepEqual([latin1.code, latin1.at], ['E_FILE', '2:11']);
    assert.equal((await failure(file('huge.yaml', `# ${'x'.repeat(MAX_FILE_BYTES)}\n${STEP}`))).code, 'E_FILE');
  });

  it('refuses documents that are not a map', async () => {
    for (const [name, text] of [['array.yaml', '[1, 2, 3]\n'], ['scalar.yaml', 'just text\n'], ['json-array.json', '[{"id": "a"}]']] as const) {
      const result = await failure(file(name, text));
      assert.ok(result.error instanceof PipelineInvalidError);
      assert.equal(result.code, 'E_SCHEMA', name);
    }
  });

  it('reports tabs, duplicate keys and extra documents at their position', async () => {
    assert.deepEqual(await failure(file('tabs.yaml', 'steps:\n\t- id: a\n')).then((result) => [result.code, result.at]), ['E_YAML_SYNTAX', '2:1']);
    assert.deepEqual(await failure(file('dup.yaml', `${STEP}steps: []\n`)).then((result) => [result.code, result.at]), ['E_YAML_SYNTAX', '5:1']);
    assert.deepEqual(await failure(file('multi.yaml', `${STEP}---\n${STEP}`)).then((result) => [result.code, result.at]), ['E_YAML_SYNTAX', '5:1']);
  });

  it('survives alias bombs and absurd nesting quickly', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      levels.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const started = Date.now();
    assert.equal((await failure(file('bomb.yaml', `${levels.join('\n')}\n${STEP}`))).code, 'E_YAML_SYNTAX');
    assert.equal((await failure(file('flow-deep.yaml', `${'['.repeat(200_000)}`))).code, 'E_YAML_SYNTAX');
    const block = Array.from({ length: 300 }, (_, depth) => `${' '.repeat(depth)}k:`).join('\n');
    assert.equal((await failure(file('block-deep.yaml', block))).code, 'E_YAML_SYNTAX');
    assert.ok(Date.now() - started < 5000, 'limits are enforced without long work');
  });

  it('refuses merge keys with a clear message', async () => {
    const result = await failure(file('merge.yaml', 'steps:\n  - &s\n    id: a\n    model: owner/model\n    template: "{{input}}"\n  - <<: *s\n    id: b\n'));
    assert.ok(result.error instanceof PipelineInvalidError);
    assert.ok(result.error.diagnostics.some((diagnostic) => /merge keys/.test(diagnostic.message)));
  });
});
