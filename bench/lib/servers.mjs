// Child processes of the benchmark: the app, the baseline and the seed. Each runs with an
// explicit environment (nothing inherited but PATH/HOME), so a developer's .env or shell
// variables cannot change what is measured.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

/** USER_HZ: the unit of /proc/<pid>/stat's times, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export const JWT_SECRET = 'bench-only-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * How production starts Node.js (package.json `config.nodeFlags` and `config.runtimeEnv`, used
 * by `npm start` and `npm run start:prod`): both servers get the same flags and C-allocator
 * settings, so memory and speed are measured as deployed and under the same runtime settings.
 */
export const PRODUCTION_RUNTIME = readProductionRuntime(
  join(dirname(fileURLToPath(import.meta.url)), '../..'),
);

function readProductionRuntime(root) {
  const { config = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const words = (text) => (text ?? '').split(/\s+/).filter(Boolean);
  return {
    nodeFlags: words(config.nodeFlags),
    // NAME=value pairs; a value may itself contain "=" (GLIBC_TUNABLES=glibc.malloc.x=1).
    env: Object.fromEntries(
      words(config.runtimeEnv).map((pair) => {
        const separator = pair.indexOf('=');
        return [pair.slice(0, separator), pair.slice(separator + 1)];
      }),
    ),
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Environment shared by the app and the baseline: same database, secret and pool size. */
export function serverEnv(databaseUrl, port, extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...PRODUCTION_RUNTIME.env,
    NODE_ENV: 'production',
    // The production default: one JSON line per request (see startServer for where it goes).
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    // Production fails fast (503) after 1 s without a free connection; a loaded benchmark host
    // queues longer than that. Both servers wait up to 10 s, and both stop statements at 5 s.
    DATABASE_CONNECT_TIMEOUT_MS: '10000',
    DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    JWT_SECRET,
    JWT_ACCESS_TTL_SECONDS: '3600',
    // The benchmark is one client address hammering a few accounts: lift every limiter.
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_AUTH_MAX: '1000000',
    RATE_LIMIT_LOGIN_ACCOUNT_MAX: '1000000',
    RATE_LIMIT_LOGIN_ADDRESS_MAX: '1000000',
    RATE_LIMIT_ACCOUNT_CHANGE_MAX: '1000000',
    ...extra,
  };
}

/**
 * Starts `node [nodeFlags] script` and waits until `readyPath` answers 200. Its stdout (the
 * JSON log, one line per request) is read through a pipe, as a log shipper would, and counted;
 * the last lines are kept for error messages. stderr goes to ours.
 */
export async function startServer({
  name,
  script,
  args = [],
  nodeFlags = [],
  env,
  port,
  readyPath,
}) {
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let logLines = 0;
  let tail = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) logLines++;
    tail = (tail + chunk).slice(-4000);
  });
  let exit;
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    if (code && !signal) console.error(`${name} exited with ${code}; its last output:\n${tail}`);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url + readyPath).catch(() => null);
    if (response?.ok) break;
    if (exit) throw new Error(`${name} exited during start-up (${exit.code ?? exit.signal})`);
    if (attempt > 600) throw new Error(`${name} did not become ready within 60 s`);
    await sleep(100);
  }
  return {
    name,
    url,
    pid: child.pid,
    get exited() {
      return exit;
    },
    /** Lines the server has written to stdout so far (its request log, mostly). */
    get logLines() {
      return logLines;
    },
    /** Resets the peak resident set size, so the next {@link peakRssMb} covers one run only. */
    resetPeakRss() {
      try {
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
      } catch {
        // Not Linux, or not permitted: the peak then covers the process lifetime.
      }
    },
    /**
     * CPU time the server has used so far (user + system, every thread), in seconds, or null
     * where /proc is not available. Unlike throughput it does not depend on how much of the
     * shared machine the load generator and PostgreSQL take.
     */
    cpuSeconds() {
      try {
        // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
      } catch {
        return null;
      }
    },
    /** VmHWM (peak RSS) in MiB, or null where /proc is not available. */
    peakRssMb() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
        return Number.isFinite(kb) ? kb / 1024 : null;
      } catch {
        return null;
      }
    },
    async stop() {
      if (exit) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a script to completion with output shown; resolves with its duration in seconds. */
export function runScript(script, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [script, ...args], { env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve((performance.now() - started) / 1000)
        : reject(new Error(`${script} exited with ${code}`)),
    );
  });
}

/**
 * Runs a private copy of dist/: a concurrent `nest build` (which empties dist/) must not pull
 * files away from the running servers. Kept inside node_modules so packages still resolve;
 * per run (node_modules may be shared by several checkouts running benchmarks at once), and
 * removed when the process exits.
 */
export function snapshotBuild(root, name) {
  const source = join(root, 'dist');
  if (!existsSync(join(source, 'src/main.js')))
    throw new Error('dist/src/main.js is missing: build first (`npm run bench` does)');
  const directory = join(root, `node_modules/.cache/${name}-${process.pid}`);
  const target = join(directory, 'dist');
  rmSync(directory, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
  process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
  return target;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
