/** The process edges a command may touch, injectable so tests run commands in-process. */
export type CliIo = {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Read by `--inputs -`; the process's stdin when absent. */
  stdin?: NodeJS.ReadableStream;
};

/** The real process edges. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), stdin: process.stdin };
}
