import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePipeline } from '../../src/pipeline/index.js';

type SchemaNode = Record<string, unknown>;
const schema = JSON.parse(readFileSync(new URL('../../schemas/pipeline.schema.json', import.meta.url), 'utf8')) as SchemaNode;

/** Every object schema we own, with the path that leads to it. */
function objectSchemas(node: SchemaNode, path: string, found: [string, SchemaNode][] = []): [string, SchemaNode][] {
  if (node['type'] === 'object' && node['properties'] !== undefined) found.push([path, node]);
  for (const [key, child] of Object.entries(node)) {
    if (child !== null && typeof child === 'object' && !Array.isArray(child) && key !== 'examples') objectSchemas(child as SchemaNode, `${path}/${key}`, found);
  }
  return found;
}

describe('pipeline.schema.json', () => {
  const objects = objectSchemas(schema, '#');

  it('closes every object we own (additionalProperties: false)', () => {
    assert.ok(objects.length >= 3);
    for (const [path, node] of objects) assert.equal(node['additionalProperties'], false, path);
  });

  it('describes every field, for editor hover help, and gives examples', () => {
    for (const [path, node] of objects) {
      for (const [name, property] of Object.entries(node['properties'] as Record<string, SchemaNode>)) {
        assert.equal(typeof property['description'], 'string', `${path}/${name} needs a description`);
        if (!['name', 'description', 'steps'].includes(name) || path !== '#') {
          assert.ok(Array.isArray(property['examples']), `${path}/${name} needs examples`);
        }
      }
    }
  });

  it('its own examples are valid pipelines', () => {
    for (const example of schema['examples'] as unknown[]) {
      const { diagnostics } = parsePipeline(JSON.stringify(example), 'example.json');
      assert.deepEqual(diagnostics, []);
    }
  });
});
