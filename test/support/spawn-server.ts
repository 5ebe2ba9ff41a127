import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in test/support/). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let build: Promise<string> | undefined;
let builtMain: string | undefined;

/**
 * Compiles the application with the Nest CLI exactly as `npm run build` does (including the
 * Swagger plugin) and returns the path of the compiled `src/main.js`. Each test file builds
 * into its own directory under node_modules/.cache, never into dist/: files building at the
 * same time (or a developer's `npm start`) cannot clobber each other. Memoised per file.
 */
export function buildApp(): Promise<string> {
  build ??= compileIntoPrivateDirectory().then((main) => (builtMain = main));
  return build;
}

/** Deletes this file's build directory (for afterAll). */
export async function removeBuild(): Promise<void> {
  if (!build) return;
  const main = await build.catch(() => undefined);
  build = undefined;
  builtMain = undefined;
  if (main) rmSync(join(dirname(main), '..', '..'), { recursive: true, force: true });
}

async function compileIntoPrivateDirectory(): Promise<string> {
  const cacheDir = join(repoRoot, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const workDir = mkdtempSync(join(cacheDir, 'conduit-build-'));
  const tsconfig = join(workDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.build.json'),
      compilerOptions: { outDir: join(workDir, 'dist') },
      include: [join(repoRoot, 'src/**/*.ts')],
      exclude: [join(repoRoot, 'src/**/*.spec.ts')],
    }),
  );
  const nest = join(repoRoot, 'node_modules/@nestjs/cli/bin/nest.js');
  // The Nest CLI resolves -p against the working directory, so it gets a relative path.
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [nest, 'build', '-p', relative(repoRoot, tsconfig)],
      { cwd: repoRoot },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`nest build failed:\n${stdout}${stderr}`));
        else resolve();
      },
    );
  });
  return join(workDir, 'dist', 'src', 'main.js');
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
 * Spawns the compiled `main.js` (from {@link buildApp}, which must have completed) with exactly `env` (nothing is inherited from the test
 * process, whose NODE_ENV is `test`) in `cwd`, so a stray .env or the repo's data/ folder
 * cannot influence what is tested.
 */
export function spawnServer(
  env: Record<string, string>,
  cwd: string,
  /** Another compiled entry point beside main.js, e.g. `cluster.js`. */
  entry = 'main.js',
): ServerProcess {
  if (!builtMain) throw new Error('call and await buildApp() (e.g. in beforeAll) first');
  const child = spawn(process.execPath, [join(dirname(builtMain), entry)], {
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

/**
 * Stops every server spawned by this file that is still running and removes the working
 * directories {@link startBuiltServer} created (for afterAll).
 */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
  for (const dir of temporaryWorkDirs) rmSync(dir, { recursive: true, force: true });
  temporaryWorkDirs.clear();
}

export interface BuiltServer extends ServerProcess {
  port: number;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** The process's working directory (a fresh temporary one unless given). */
  workDir: string;
}

export interface StartOptions {
  /** Working directory; by default a fresh empty one, removed by {@link stopAllServers}. */
  workDir?: string;
  /** Compiled entry point beside main.js, e.g. `cluster.js`. */
  entry?: string;
  /** How long to wait for GET /api/health to answer 200. */
  timeoutMs?: number;
}

const temporaryWorkDirs = new Set<string>();

/**
 * The one way tests run the built server: builds (memoised per test file), picks a free port
 * unless `env.PORT` is given, spawns the entry point with exactly `env` in an empty working
 * directory (no .env, no data/ of the checkout) and waits until it answers its health probe.
 * A `database` env from createTestDatabase() that says `SQLITE_PATH=:memory:` is replaced by a
 * file in the working directory, since an in-memory database would not outlive the process's
 * first connection.
 */
export async function startBuiltServer(
  env: Record<string, string>,
  { workDir, entry = 'main.js', timeoutMs }: StartOptions = {},
): Promise<BuiltServer> {
  await buildApp();
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let dir = workDir;
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'conduit-server-'));
    temporaryWorkDirs.add(dir);
  }
  const fullEnv: Record<string, string> = { ...env, PORT: String(port) };
  if (fullEnv.SQLITE_PATH === ':memory:') fullEnv.SQLITE_PATH = join(dir, 'conduit.sqlite');
  const server = spawnServer(fullEnv, dir, entry);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilListening(server, baseUrl, timeoutMs);
  return Object.assign(server, { port, baseUrl, workDir: dir });
}
