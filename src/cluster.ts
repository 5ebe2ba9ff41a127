import './config/load-dotenv.js';
import cluster, { type Worker } from 'node:cluster';
import { pino } from 'pino';
import { loadConfigOrExit } from './config/load-config-or-exit.js';

/**
 * `npm run start:cluster`: a primary process that runs CLUSTER_WORKERS copies of the normal
 * server (main.js) sharing one port. It serves nothing itself: it starts workers, replaces one
 * that dies, and on SIGTERM/SIGINT stops them all before exiting.
 */

/**
 * Workers accept connections from the shared listening socket themselves (the kernel hands
 * each one to whichever worker accepts first) instead of the primary accepting them and passing
 * them on (Node's round-robin default). With round-robin, a connection the primary had just
 * passed to a worker that then died stayed open in the primary, unanswered, until the primary
 * exited: its client hung. Now the primary holds no connection: a worker's death closes
 * exactly its own connections (their clients get a reset at once), and the connections still
 * waiting to be accepted go to the other workers.
 */
cluster.schedulingPolicy = cluster.SCHED_NONE;

/** More unexpected worker deaths than this within a minute: stop instead of looping. */
const MAX_RESTARTS_PER_MINUTE = 10;
/** Workers get SHUTDOWN_TIMEOUT_MS to drain, plus this margin before they are killed. */
const KILL_MARGIN_MS = 5_000;

if (cluster.isPrimary) runPrimary();
else await import('./main.js');

function runPrimary(): void {
  const config = loadConfigOrExit();
  const log = pino({
    level: config.log.level,
    base: { pid: process.pid, role: 'primary' },
    transport: config.log.pretty
      ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
      : undefined,
  });
  const workerEnv: Record<string, string> = {};
  if (config.auth.jwtSecretIsEphemeral) {
    // One generated secret for all workers, or a token issued by one is refused by the others.
    workerEnv.JWT_SECRET = config.auth.jwtSecret;
    log.warn('JWT_SECRET is not set: using an ephemeral secret; tokens will not survive a restart');
  }
  if (!config.redisUrl) {
    log.warn(
      'REDIS_URL is not set: rate limits and caches are per worker, so each worker grants the full budget',
    );
  }

  const live = new Set<Worker>();
  const listening = new Set<number>();
  const restarts: number[] = [];
  let stopping = false;
  let exitCode = 0;

  const fork = (): void => {
    const worker = cluster.fork(workerEnv);
    live.add(worker);
  };

  const stop = (code: number): void => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    log.info({ workers: live.size }, 'stopping workers');
    for (const worker of live) worker.process.kill('SIGTERM');
    setTimeout(() => {
      log.error(
        { workers: live.size },
        'workers still running after the grace period; killing them',
      );
      for (const worker of live) worker.process.kill('SIGKILL');
      exitCode = 1;
    }, config.shutdownTimeoutMs + KILL_MARGIN_MS).unref();
    if (live.size === 0) process.exit(exitCode);
  };

  cluster.on('listening', (worker, address) => {
    const first = listening.size === 0;
    listening.add(worker.id);
    log.info({ workerPid: worker.process.pid, port: address.port }, 'worker listening');
    // The first worker has run the migrations by now; the others find nothing left to do.
    if (first && !stopping) for (let index = 1; index < config.cluster.workers; index += 1) fork();
  });

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    const startedUp = listening.delete(worker.id);
    const clean = code === 0 || signal === 'SIGTERM' || signal === 'SIGINT';
    if (stopping) {
      if (!clean) exitCode = 1;
      log.info({ workerPid: worker.process.pid, code, signal }, 'worker stopped');
      if (live.size === 0) process.exit(exitCode);
      return;
    }
    if (!startedUp) {
      // Bad configuration or an unreachable database: a replacement would fail the same way.
      log.fatal({ workerPid: worker.process.pid, code, signal }, 'worker failed to start');
      stop(1);
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts[0] <= now - 60_000) restarts.shift();
    if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
      log.fatal({ restarts: restarts.length }, 'workers keep dying; giving up');
      stop(1);
      return;
    }
    log.error({ workerPid: worker.process.pid, code, signal }, 'worker died; starting a new one');
    fork();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log.info({ signal }, 'shutdown requested');
      stop(0);
    });
  }

  log.info({ workers: config.cluster.workers }, 'starting workers');
  fork();
}
