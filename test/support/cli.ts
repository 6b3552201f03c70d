/** Runs the CLI two ways: in-process through main() (fast), and as a spawned binary (as a user does). */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startReplicateServer, type FakeReplicateOptions, type ReplicateServer } from './replicate-server.js';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The network guard every spawned CLI loads. */
export const NO_NETWORK = join(ROOT, 'test/support/no-network.mjs');

/** What a CLI invocation produced. */
export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs main() in this process with captured stdout/stderr. */
export async function runMain(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal } = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.stdout.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.stderr.push(chunk));
  const io: CliIo = { stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? process.cwd() };
  const code = await main(argv, io, options.signal ? { signal: options.signal } : {});
  return { code, stdout: Buffer.concat(chunks.stdout).toString('utf8'), stderr: Buffer.concat(chunks.stderr).toString('utf8') };
}

/** A running spawned CLI: its result, and the child to signal. */
export type SpawnedCli = { child: ReturnType<typeof spawn>; result: Promise<CliResult>; stderrSoFar: () => string };

/** Spawns the built binary (dist/bin.js) with the network guard loaded. */
export function spawnCli(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnedCli {
  const child = spawn(process.execPath, [join(ROOT, 'dist/bin.js'), ...argv], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH, NODE_OPTIONS: `--import=${NO_NETWORK}`, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const result = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
  return { child, result, stderrSoFar: () => stderr };
}

/** Runs the built binary to completion. */
export function runCli(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return spawnCli(argv, options).result;
}

/** A temporary folder, removed by the returned cleanup. */
export async function makeTempDir(prefix = 'run-pipeline-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Writes a pipeline file into `directory` and returns its path. */
export async function writePipeline(directory: string, name: string, yaml: string): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, yaml);
  return path;
}

/** A fake Replicate server, a temp folder, and the environment a CLI run needs to use them. */
export type CliEnvironment = {
  server: ReplicateServer;
  temp: { path: string; cleanup: () => Promise<void> };
  /** REPLICATE_API_TOKEN/BASE_URL for the server, fast polling, and a schema cache inside temp. */
  env: NodeJS.ProcessEnv;
  close: () => Promise<void>;
};

/** Starts what a CLI test file needs; call close() in after(). */
export async function startCliEnvironment(options: FakeReplicateOptions): Promise<CliEnvironment> {
  const server = await startReplicateServer(options);
  const temp = await makeTempDir();
  const env = { REPLICATE_API_TOKEN: server.token, REPLICATE_BASE_URL: server.url, REPLICATE_POLL_INTERVAL: '0.02', RUN_PIPELINE_CACHE_DIR: `${temp.path}/cache` };
  const close = async () => {
    await server.close();
    await temp.cleanup();
  };
  return { server, temp, env, close };
}
