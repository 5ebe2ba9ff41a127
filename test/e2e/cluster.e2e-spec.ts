import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  getOnNewConnection,
  isConnectionReset,
  type RecordedOutcome,
  sendRecorded,
  tally,
} from '../support/http-load.js';
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
        RATE_LIMIT_MAX: '1000000',
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
      // A new connection each time (no keep-alive), so that the workers share them out.
      expect((await getOnNewConnection(`${baseUrl}${probe}`)).status).toBeLessThan(500);
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

  /**
   * Concurrent request loops until `until()` says stop: `keepAlive` loops reuse connections
   * (fetch), `fresh` loops open one per request. A loop stops for good after a 503 when
   * `stopOn503` is set (the client was told to go away).
   */
  function runLoad(options: {
    keepAlive: number;
    fresh: number;
    until: () => boolean;
    stopOn503?: boolean;
    timeoutMs: number;
  }): { outcomes: RecordedOutcome[]; done: Promise<void> } {
    const outcomes: RecordedOutcome[] = [];
    const paths = ['/api/articles', '/api/tags', '/api/health/ready'];
    const loop = async (index: number, fresh: boolean) => {
      for (let count = 0; !options.until(); count += 1) {
        const url = `${baseUrl}${paths[(index + count) % paths.length]}`;
        const outcome = fresh
          ? await getOnNewConnection(url, options.timeoutMs)
          : await sendRecorded(url, {}, options.timeoutMs);
        outcomes.push(outcome);
        if (options.stopOn503 && (outcome.status === 503 || outcome.status === undefined)) return;
      }
    };
    const loops = [
      ...Array.from({ length: options.keepAlive }, (_, index) => loop(index, false)),
      ...Array.from({ length: options.fresh }, (_, index) => loop(index, true)),
    ];
    return { outcomes, done: Promise.all(loops).then(() => undefined) };
  }

  /**
   * A worker killed with SIGKILL (a crash, the OOM killer) must not leave any request waiting:
   * the clients of its connections get them reset, every other request is served. Documented
   * bound (README "Shutdown"): no request waits on a dead worker; 5 s here only absorbs a loaded
   * machine (requests take milliseconds).
   */
  it('lets no request hang when a worker is killed with SIGKILL under load', async () => {
    const HANG_BOUND_MS = 5_000;
    const [victim] = [...listeningWorkers(server)];
    let stopAt = Number.POSITIVE_INFINITY;
    const load = runLoad({
      keepAlive: 8,
      fresh: 4,
      until: () => Date.now() >= stopAt,
      timeoutMs: 20_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    stopAt = killedAt + 3_000;
    await load.done;
    const { outcomes } = load;
    console.info(
      `SIGKILL of one worker under load: ${outcomes.length} requests\n  ` +
        tally(
          outcomes,
          (o) => `${o.status ?? o.error} ${o.startedAt < killedAt ? 'before' : 'after'} kill`,
        ),
    );

    const slowest = Math.max(...outcomes.map((o) => o.endedAt - o.startedAt));
    expect({
      slowest,
      hung: outcomes.filter((o) => o.endedAt - o.startedAt > HANG_BOUND_MS),
    }).toEqual({
      slowest: expect.any(Number),
      hung: [],
    });
    // The only failures are the dead worker's connections being reset.
    expect(outcomes.filter((o) => o.error !== undefined && !isConnectionReset(o))).toEqual([]);
    expect(outcomes.filter((o) => o.status !== undefined && o.status !== 200)).toEqual([]);
    // The survivor serves everything sent once the death is a moment old.
    const later = outcomes.filter((o) => o.startedAt > killedAt + 500);
    expect(later.length).toBeGreaterThan(0);
    expect(later.filter((o) => o.status !== 200)).toEqual([]);
    await waitFor(server, 'a replacement worker', () => {
      const workers = listeningWorkers(server);
      return workers.size === 2 && !workers.has(victim);
    });
  }, 60_000);

  it('stops every worker and exits 0 on SIGTERM to the primary, resetting no kept-alive connection', async () => {
    const workers = [...listeningWorkers(server)];
    expect(workers).toHaveLength(2);
    let stopped = false;
    void server.exited.then(() => (stopped = true));
    const load = runLoad({
      keepAlive: 12,
      fresh: 0,
      until: () => stopped,
      stopOn503: true,
      timeoutMs: 20_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), 20_000).unref(),
    );
    const result = await Promise.race([server.exited, timeout]);
    stopped = true;
    await load.done;
    const { outcomes } = load;
    console.info(
      `SIGTERM to the primary under keep-alive load: ${outcomes.length} requests\n  ` +
        tally(
          outcomes,
          (o) =>
            `${o.status ?? o.error} ${o.connection ?? ''} ${o.startedAt < signalledAt ? 'before' : 'after'} signal`,
        ),
    );

    expect(result).toEqual({ code: 0, signal: null });
    expect(workers.filter(isRunning)).toEqual([]);
    await expect(fetch(`${baseUrl}/api/health`)).rejects.toThrow();
    expect(
      outcomes.filter((o) => o.startedAt < signalledAt && o.status === 200).length,
    ).toBeGreaterThan(0);
    expect(outcomes.filter(isConnectionReset)).toEqual([]);
    expect(outcomes.filter((o) => o.error === 'TIMEOUT' || o.truncated)).toEqual([]);
    for (const outcome of outcomes.filter((o) => o.status === 503)) {
      expect(outcome.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(outcome.connection).toBe('close');
    }
  }, 60_000);
});
