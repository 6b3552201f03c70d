/**
 * Fixtures are the specification of the checker: every file in test/fixtures/invalid states in its
 * header the diagnostics it must produce (see test/fixtures/README.md), and this one test walks them.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { checkCommand } from '../../src/cli/check-command.js';
import type { Diagnostic } from '../../src/errors.js';
import { runMain } from '../support/cli.js';
import { dollyModel, llama3Model, stableDiffusionModel } from '../support/models.js';
import { startReplicateServer, type ReplicateServer } from '../support/replicate-server.js';

const directory = fileURLToPath(new URL('../fixtures/invalid/', import.meta.url));
const fixtures = readdirSync(directory).filter((name) => name.endsWith('.yaml')).sort();

/** What a fixture's header comment asks for. */
export type FixtureHeader = { args: string[]; expected: string[] };

/** Reads `# args:` and `# expect:` lines from the leading comment block. */
export function readFixtureHeader(text: string): FixtureHeader {
  const header: FixtureHeader = { args: [], expected: [] };
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const args = /^# args: (.*)$/.exec(line);
    if (args?.[1] !== undefined) header.args.push(...args[1].trim().split(/\s+/));
    const expect = /^# expect: (\S+) (\d+:\d+|-)\s*$/.exec(line);
    if (expect) header.expected.push(`${expect[1]} ${expect[2]}`);
  }
  return header;
}

/** Runs `check --format json` on one fixture, in-process, and returns its exit code and diagnostics. */
export async function checkFixture(file: string, args: string[]): Promise<{ exitCode: number; diagnostics: Diagnostic[] }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exitCode = await checkCommand([...args, '--format', 'json', file], { stdout, stderr, env: {}, cwd: process.cwd() });
  const diagnostics = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Diagnostic[];
  return { exitCode, diagnostics };
}

function summary(diagnostic: Diagnostic): string {
  return `${diagnostic.code} ${diagnostic.location ? `${diagnostic.location.line}:${diagnostic.location.column}` : '-'}`;
}

describe('invalid pipeline fixtures', () => {
  it('has at least 40 fixtures', () => {
    assert.ok(fixtures.length >= 40, `found ${fixtures.length}`);
  });

  for (const name of fixtures) {
    it(name, async () => {
      const file = `${directory}${name}`;
      const { args, expected } = readFixtureHeader(readFileSync(file, 'utf8'));
      assert.ok(expected.length > 0, 'the header must state at least one "# expect:" line');
      const { exitCode, diagnostics } = await checkFixture(file, args);
      assert.deepEqual(diagnostics.map(summary).sort(), [...expected].sort());
      const hasError = expected.some((line) => line.startsWith('E_'));
      assert.equal(exitCode, hasError ? 2 : 0);
      for (const diagnostic of diagnostics) {
        assert.ok(diagnostic.message.length > 0 && !diagnostic.message.includes('\n'), `one-line message: ${diagnostic.message}`);
        assert.doesNotMatch(diagnostic.message, /must NOT|must match pattern|instancePath/, 'raw Ajv wording leaked');
      }
    });
  }
});

describe('running an invalid pipeline costs nothing', () => {
  let server: ReplicateServer;
  before(async () => {
    server = await startReplicateServer({ models: [dollyModel(), stableDiffusionModel(), llama3Model()] });
  });
  after(() => server.close());

  for (const name of fixtures) {
    const file = `${directory}${name}`;
    const { args, expected } = readFixtureHeader(readFileSync(file, 'utf8'));
    if (!expected.some((line) => line.startsWith('E_'))) continue;
    it(`${name}: exit 2 and no request, even with a token`, async () => {
      server.reset();
      const env = { REPLICATE_API_TOKEN: server.token, REPLICATE_BASE_URL: server.url};
      const runArgs = args.length > 0 ? args : ['--input', 'x'];
      const result = await runMain([file, ...runArgs], { env });
      assert.equal(result.code, 2, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(server.requests.length, 0, `requests: ${server.requests.map((request) => `${request.method} ${request.path}`).join(', ')}`);
    });
  }
});
