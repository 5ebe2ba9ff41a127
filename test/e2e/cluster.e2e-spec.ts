import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type BuiltServer,
  removeBuild,
  type ServerProcess,
  startBuiltServer,
  stopAllServers,
} from '../support/spawn-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TEST_JWT_SECRET } from '../support/test-app.js';

interface LogLine {
  pid?: number;
  role?: string;
  msg?: string;
  workerPid?: number;
  req?: { url?: string };
}

/** The JSON log lines written so far by the primary and its workers (they share stdout). */
function logLines(server: ServerProcess): LogLine[] {
  // The last piece is either empty or a line still being written.
  const complete = server.stdout().split('\n').slice(0, -1);
  return complete.flatMap((line) => {
    try {
      return line.startsWith('{') ? [JSON.parse(line) as LogLine] : [];
    } catch {
      return [];
    }
  });
}

/** Pids of the workers the primary has reported listening, minus those it reported gone. */
function listeningWorkers(server: ServerProcess): Set<number> {
  const pids = new Set<number>();
  for (const line of logLines(server)) {
    if (line.role !== 'primary' || line.workerPid === undefined) continue;
    if (line.msg === 'worker listening') pids.add(line.workerPid);
    else pids.delete(line.workerPid);
  }
  return pids;
}

/** Polls `condition` every 100 ms; fails with the server's output after `timeoutMs`. */
async function waitFor(
  server: ServerProcess,
  what: string,
  condition: () => boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not after ${timeoutMs} ms\n${server.stdout()}\n${server.stderr()}`);
}

/** GET on a new connection each time (no keep-alive), so the primary distributes them. */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm run start:cluster` (compiled src/cluster.js): a primary with two workers on one port,
 * replacing a worker that dies and stopping everything on SIGTERM.
 */
describe('cluster mode (built output)', () => {
  let database: TestDatabase;
  let server: BuiltServer;
  let baseUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startBuiltServer(
      {
        NODE_ENV: 'production',
        JWT_SECRET: TEST_JWT_SECRET,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        LOG_PRETTY: 'false',
        CLUSTER_WORKERS: '2',
        ...database.env,
      },
      { entry: 'cluster.js' },
    );
    baseUrl = server.baseUrl;
    await waitFor(server, 'two workers listening', () => listeningWorkers(server).size === 2);
  }, 180_000);

  afterAll(async () => {
    await stopAllServers();
    await removeBuild();
    await database?.drop();
  });

  /** Sends requests until `wanted` distinct workers have logged one (at most 40 requests). */
  async function workersServing(wanted: number): Promise<Set<number>> {
    const seen = new Set<number>();
    for (let attempt = 0; attempt < 40 && seen.size < wanted; attempt += 1) {
      const probe = `/api/tags?probe=${Date.now()}-${attempt}`;
      expect(await getOnNewConnection(`${baseUrl}${probe}`)).toBeLessThan(500);
      await waitFor(server, `log line of ${probe}`, () =>
        logLines(server).some((line) => line.req?.url === probe),
      );
      const line = logLines(server).find((entry) => entry.req?.url === probe);
      if (line?.pid !== undefined) seen.add(line.pid);
    }
    return seen;
  }

  it('serves requests from more than one worker process', async () => {
    const workers = listeningWorkers(server);
    const serving = await workersServing(2);
    expect(serving.size).toBe(2);
    expect([...serving].every((pid) => workers.has(pid))).toBe(true);
    expect(serving.has(server.child.pid ?? -1)).toBe(false);
  });

  it('replaces a worker that dies unexpectedly', async () => {
    const [victim, survivor] = [...listeningWorkers(server)];
    process.kill(victim, 'SIGKILL');
    await waitFor(server, 'a replacement worker', () => {
      const workers = listeningWorkers(server);
      return workers.size === 2 && !workers.has(victim) && workers.has(survivor);
    });
    const serving = await workersServing(2);
    expect(serving.has(victim)).toBe(false);
    expect(serving.size).toBe(2);
  });

  it('stops every worker and exits 0 on SIGTERM to the primary', async () => {
    const workers = [...listeningWorkers(server)];
    expect(workers).toHaveLength(2);
    server.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), 20_000).unref(),
    );
    const result = await Promise.race([server.exited, timeout]);
    expect(result).toEqual({ code: 0, signal: null });
    expect(workers.filter(isRunning)).toEqual([]);
    await expect(fetch(`${baseUrl}/api/health`)).rejects.toThrow();
  });
});
