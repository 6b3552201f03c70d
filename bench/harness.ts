/**
 * Shared pieces of the benchmarks: the local Replicate server, a pipeline run through the same
 * library code the CLI uses, and a plain table printer. Numbers are against the fake server on
 * this machine: they measure this tool's own behaviour and overhead, not Replicate's speed.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipeline } from '../src/pipeline/index.js';
import { createReplicateProvider } from '../src/providers/replicate/provider.js';
import type { Provider } from '../src/providers/types.js';
import { runPipeline, type RunEvent, type RunResult } from '../src/run/executor.js';
import type { FakeModel } from '../test/support/fake-model.js';
import { dollyModel } from '../test/support/models.js';
import { startReplicateServer, type ReplicateServer } from '../test/support/replicate-server.js';

/** A fake server, a provider on it, and a scratch folder; `close` releases all three. */
export type Bench = { server: ReplicateServer; provider: Provider; outDir: string; close: () => Promise<void> };

/** Starts the fake server with `models` and a provider configured as the CLI configures it. */
export async function startBench(models: FakeModel[]): Promise<Bench> {
  const server = await startReplicateServer({ models, maxSyncWaitMs: 60_000 });
  const provider = createReplicateProvider({ token: server.token, baseUrl: server.baseUrl });
  const outDir = await mkdtemp(join(tmpdir(), 'run-pipeline-bench-'));
  return { server, provider, outDir, close: async () => { await server.close(); await rm(outDir, { recursive: true, force: true }); } };
}

/** A text model under its own name that emits `tokens`, one every `intervalMs`. */
export function textModel(name: string, tokens: string[], intervalMs: number, extra: Partial<FakeModel> = {}): { model: FakeModel; reference: string } {
  const id = createHash('sha256').update(name).digest('hex');
  const base = dollyModel({ tokens, tokenIntervalMs: intervalMs });
  const model: FakeModel = { ...base, ...extra, owner: 'bench', name, versions: [{ id, openapiSchema: base.versions[0]?.openapiSchema ?? {} }] };
  return { model, reference: `bench/${name}:${id}` };
}

/** Runs pipeline YAML once, as the CLI would (default 0.5 s poll interval unless given). */
export async function runYaml(bench: Bench, yaml: string, options: { input?: string; onEvent?: (event: RunEvent) => void; stream?: boolean; pollIntervalMs?: number } = {}): Promise<RunResult> {
  const { pipeline, diagnostics } = parsePipeline(yaml, 'bench.yaml');
  if (!pipeline) throw new Error(diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
  return runPipeline(pipeline, {
    provider: bench.provider,
    inputs: { input: options.input ?? 'bench' },
    outDir: bench.outDir,
    writeRecord: false,
    pollIntervalMs: options.pollIntervalMs ?? 500,
    ...(options.stream === undefined ? {} : { stream: options.stream }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

/** The middle value (upper middle for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Prints rows as an aligned plain-text table (also valid Markdown). */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  process.stdout.write(`\n${title}\n\n${line(header)}\n| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |\n${cells.slice(1).map(line).join('\n')}\n`);
}
