// Throughput of the main read paths against a freshly built server (SQLite by default, or
// DATABASE_URL). Bounded in requests and time; prints requests/second and latency percentiles.
// Usage: npm run bench   (optionally BENCH_SECONDS=10 BENCH_CONCURRENCY=16)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const articleCount = Number(process.env.BENCH_ARTICLES ?? 300);

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const env = {
  ...process.env,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  LOG_PRETTY: 'false',
  JWT_SECRET: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  RATE_LIMIT_MAX: '1000000',
  RATE_LIMIT_AUTH_MAX: '1000000',
  SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'conduit-bench-')), 'bench.sqlite'),
};
const server = spawn(process.execPath, ['dist/src/main.js'], {
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}/api`;

async function call(method, path, body, token) {
  const response = await fetch(base + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Token ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

try {
  let exited = false;
  server.on('exit', () => (exited = true));
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`${base}/health/ready`).catch(() => null);
    if (ready?.ok) break;
    if (exited || attempt > 200) throw new Error('server did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { body } = await call('POST', '/users', {
    user: {
      username: `bench${Date.now()}`,
      email: `bench${Date.now()}@example.com`,
      password: 'password123',
    },
  });
  const token = body.user.token;
  for (let i = 0; i < articleCount; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, articleCount - i) }, (_, j) =>
        call(
          'POST',
          '/articles',
          {
            article: {
              title: `Bench ${i + j}`,
              description: 'd',
              body: 'b',
              tagList: [`t${(i + j) % 7}`],
            },
          },
          token,
        ),
      ),
    );
  }

  for (const [name, path, auth] of [
    ['GET /api/articles?limit=20', '/articles?limit=20', false],
    ['GET /api/articles?limit=100 (auth)', '/articles?limit=100', true],
    ['GET /api/articles?tag=t3', '/articles?tag=t3', false],
    ['GET /api/tags', '/tags', false],
  ]) {
    const latencies = [];
    const deadline = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < deadline && latencies.length < 1_000_000) {
          const started = performance.now();
          const response = await call('GET', path, undefined, auth ? token : undefined);
          if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
          latencies.push(performance.now() - started);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const pct = (p) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(
        1,
      );
    console.log(
      `${name.padEnd(38)} ${(latencies.length / seconds).toFixed(0).padStart(6)} req/s  p50 ${pct(50)} ms  p99 ${pct(99)} ms`,
    );
  }
} finally {
  server.kill('SIGTERM');
}
