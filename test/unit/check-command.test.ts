import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { checkCommand } from '../../src/cli/check-command.js';
import type { RemoteSchemas } from '../../src/cli/check-command.js';
import type { Diagnostic } from '../../src/errors.js';
import type { ModelSchema } from '../../src/providers/types.js';

const directory = mkdtempSync(join(tmpdir(), 'check-command-'));
function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

async function run(argv: string[], remote?: RemoteSchemas): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let written = '';
  let warned = '';
  stdout.on('data', (chunk: Buffer) => (written += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (warned += chunk.toString()));
  const code = await checkCommand(argv, { stdout, stderr, env: {}, cwd: directory }, remote);
  return { code, stdout: written, stderr: warned };
}

const clean = file('clean.yaml', 'steps:\n  - id: a\n    model: owner/model\n    template: "{{input}}"\n');
const warning = file('warning.yaml', 'inputs:\n  topic: {}\n  extra: { default: x }\nsteps:\n  - id: a\n    model: owner/model\n    template: "{{topic}}"\n');
const broken = file('broken.yaml', 'steps:\n  - id: a\n    model: owner\n    template: "{{input}}"\n');

describe('checkCommand', () => {
  it('exits 0 for a clean file, saying so on stderr', async () => {
    const result = await run([clean]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /no problems/);
  });

  it('exits 2 on errors, human diagnostics on stderr with a code frame', async () => {
    const result = await run([broken]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /broken\.yaml:3:12: error: .*\[E_MODEL_REF\]/);
    assert.match(result.stderr, /\n3 \|     model: owner\n/);
  });

  it('exits 0 on warnings alone, 2 with --strict', async () => {
    assert.equal((await run([warning])).code, 0);
    const strict = await run(['--strict', '--format', 'json', warning]);
    assert.equal(strict.code, 2);
    const diagnostics = JSON.parse(strict.stdout) as Diagnostic[];
    assert.deepEqual(diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.severity]), [['W_UNUSED_INPUT', 'error']]);
  });

  it('writes json and github formats to stdout', async () => {
    const json = await run(['--format', 'json', broken, clean]);
    assert.equal(json.code, 2);
    assert.deepEqual((JSON.parse(json.stdout) as Diagnostic[]).map((diagnostic) => diagnostic.code), ['E_MODEL_REF']);
    const github = await run(['--format=github', broken]);
    assert.match(github.stdout, /^::error file=.*broken\.yaml,line=3,col=12,/);
  });

  it('reports unreadable files as diagnostics and keeps going', async () => {
    const result = await run(['--format', 'json', join(directory, 'missing.yaml'), directory, clean]);
    assert.equal(result.code, 2);
    assert.deepEqual((JSON.parse(result.stdout) as Diagnostic[]).map((diagnostic) => diagnostic.code), ['E_FILE', 'E_FILE']);
  });

  it('checks --var and --input against the declared inputs', async () => {
    const result = await run(['--format', 'json', '--var', 'topc=x', '--input', 'y', warning]);
    assert.equal(result.code, 2);
    const codes = (JSON.parse(result.stdout) as Diagnostic[]).map((diagnostic) => diagnostic.code).sort();
    assert.deepEqual(codes, ['E_USAGE', 'E_USAGE', 'W_UNUSED_INPUT']);
  });

  it('rejects bad usage with exit 2', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['--format', 'xml', clean])).code, 2);
    const unknown = await run(['--formt', 'json', clean]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /did you mean --format/);
    assert.equal((await run(['--var', 'novalue', clean])).code, 2);
    assert.equal((await run(['--remote', clean])).code, 2);
  });

  it('prints help on stdout with exit 0', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: run-pipeline check/);
  });

  it('--remote validates model inputs with the injected schemas', async () => {
    const schema: ModelSchema = {
      version: 'v1',
      input: { type: 'object', properties: { prompt: { type: 'string', 'x-order': 0 }, temperature: { type: 'number', maximum: 1 } } },
      components: {},
    };
    const kwargs = file('kwargs.yaml', 'steps:\n  - id: a\n    model: owner/model\n    template: "{{input}}"\n    model_kwargs:\n      temperature: 3\n');
    const requested: string[] = [];
    const remote: RemoteSchemas = async (pipeline) => {
      requested.push(pipeline.file);
      return new Map([['owner/model', schema]]);
    };
    const result = await run(['--remote', '--format', 'json', kwargs], remote);
    assert.equal(result.code, 2);
    assert.deepEqual((JSON.parse(result.stdout) as Diagnostic[]).map((diagnostic) => `${diagnostic.code} ${diagnostic.location?.line}`), ['E_MODEL_INPUT 6']);
    assert.deepEqual(requested, [kwargs]);
    assert.equal((await run(['--remote', broken], remote)).code, 2);
    assert.equal(requested.length, 1, 'an invalid file is never sent to the remote check');
  });
});
