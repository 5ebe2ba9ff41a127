import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in test/support/). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The compiled entry point that `npm start` runs. */
export const builtMain = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

/**
 * Compiles the application with the Nest CLI exactly as `npm run build` does (including the
 * Swagger plugin), so the spawned server is the artefact production runs.
 */
export function buildApp(): Promise<void> {
  const nest = fileURLToPath(
    new URL('../../node_modules/@nestjs/cli/bin/nest.js', import.meta.url),
  );
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [nest, 'build'], { cwd: repoRoot }, (error, stdout, stderr) => {
      if (error) reject(new Error(`nest build failed:\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** A port that was free a moment ago (bound to 0 by the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Settles when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not ended after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ServerProcess>();

/**
 * Spawns `node dist/src/main.js` with exactly `env` (nothing is inherited from the test
 * process, whose NODE_ENV is `test`) in `cwd`, so a stray .env or the repo's data/ folder
 * cannot influence what is tested.
 */
export function spawnServer(env: Record<string, string>, cwd: string): ServerProcess {
  const child = spawn(process.execPath, [builtMain], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const server: ServerProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async (graceMs = 5000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(server);
    },
  };
  running.add(server);
  void exited.then(() => running.delete(server));
  return server;
}

/** Runs the server to completion, failing if it is still running after `timeoutMs`. */
export async function runToExit(
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 15_000,
): Promise<{ code: number | null; stdout: string; stderr: string; durationMs: number }> {
  const started = Date.now();
  const server = spawnServer(env, cwd);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([server.exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    await server.stop(1000);
    throw new Error(
      `server still running after ${timeoutMs} ms\nstdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`,
    );
  }
  return {
    code: result.code,
    stdout: server.stdout(),
    stderr: server.stderr(),
    durationMs: Date.now() - started,
  };
}

/**
 * Waits until GET `${baseUrl}/api/health` answers 200. Fails early, with the server's output,
 * if the process exits first or the deadline passes.
 */
export async function waitUntilListening(
  server: ServerProcess,
  baseUrl: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${exited ? 'server exited' : `server not listening after ${timeoutMs} ms`}\n` +
      `stdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`,
  );
}

/** Stops every server spawned by this file that is still running (for afterAll). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}
