import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadPipeline } from '../../src/pipeline/index.js';

const directory = new URL('../../pipelines/', import.meta.url);
const files = readdirSync(directory).filter((name) => /\.ya?ml$/.test(name));

describe('shipped pipelines', () => {
  it('exist', () => {
    assert.ok(files.length >= 3, `found ${files.length}`);
  });

  for (const name of files) {
    it(`${name} loads with zero diagnostics and carries the schema header`, async () => {
      const path = new URL(name, directory).pathname;
      const { pipeline, diagnostics } = await loadPipeline(path);
      assert.deepEqual(diagnostics, []);
      assert.ok(pipeline.steps.length > 0);
      assert.ok(readFileSync(path, 'utf8').startsWith('# yaml-language-server: $schema=../schemas/pipeline.schema.json\n'));
    });
  }
});
