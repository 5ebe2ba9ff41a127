import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app.config.js';
import { createTestDatabase } from './test-database.js';

export const TEST_JWT_SECRET = 'e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/** A running application on a random port with its own fresh database. */
export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Starts the real application (same factory as production) listening on port 0. `env`
 * overrides configuration, e.g. `{ RATE_LIMIT_MAX: '5' }`.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const concurrentQueries = watchConcurrentQueries();
  const instance = await launch({ ...database.env, ...env });
  return {
    ...instance,
    close: async () => {
      await instance.close();
      await database.drop();
      concurrentQueries.check();
    },
  };
}

/**
 * pg queues a query sent on a client that is still running others, with a deprecation warning
 * (pg 9 will refuse it): the app ran lookups in parallel inside a transaction. Recorded here
 * (jest's process object does not see the warning), failing the suite that did it. The
 * wrapper is installed once per test file (its own module registry) and stays.
 */
const queuedQueries: string[] = [];
let queueWatchInstalled = false;

function watchConcurrentQueries(): { check(): void } {
  if (!queueWatchInstalled) {
    queueWatchInstalled = true;
    type QueueingClient = { _queryQueue?: unknown[]; pipeline?: boolean };
    const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = prototype.query;
    prototype.query = function (this: QueueingClient, ...args: unknown[]) {
      if (!Array.isArray(this._queryQueue))
        throw new Error('pg.Client internals changed: no _queryQueue to watch');
      if (this._queryQueue.length > 0 && !this.pipeline)
        queuedQueries.push(new Error('query sent while others were queued').stack ?? '');
      return original.apply(this, args);
    };
  }
  const from = queuedQueries.length;
  return {
    check: () => {
      if (queuedQueries.length > from)
        throw new Error(`queries ran concurrently on one pg client:\n${queuedQueries[from]}`);
    },
  };
}

/** Redis every multi-instance test shares (always available locally and in CI). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Several instances of the application behind one database and one Redis. */
export interface TestCluster {
  /** The instances, in start order; each `close()` stops that instance only. */
  apps: TestApp[];
  /** What all instances share: database, REDIS_URL and key prefixes. */
  env: Record<string, string>;
  /** Stops the instances still running, then drops the database. */
  close(): Promise<void>;
}

/**
 * Starts `size` instances sharing one fresh database (a temporary file on SQLite) and one
 * Redis, as a horizontally scaled deployment would. The Redis keys get a prefix unique to
 * this cluster, so test files running in parallel never see each other's entries.
 */
export async function startTestCluster(
  size: number,
  env: Record<string, string> = {},
  /**
   * Settings of single instances on top of `env`: by index, or from a function of the index
   * (e.g. a REDIS_URL through a proxy for one of them).
   */
  perInstance: Array<Record<string, string>> | ((index: number) => Record<string, string>) = [],
): Promise<TestCluster> {
  const database = await createTestDatabase({ shareable: true });
  const prefix = `test-${randomBytes(6).toString('hex')}:`;
  const shared = {
    REDIS_URL: TEST_REDIS_URL,
    CACHE_KEY_PREFIX: `${prefix}cache:`,
    RATE_LIMIT_KEY_PREFIX: `${prefix}ratelimit:`,
    ...database.env,
    ...env,
  };
  const apps: TestApp[] = [];
  try {
    // One after the other: the first applies the migrations, the others find them applied.
    for (let index = 0; index < size; index += 1) {
      const own = typeof perInstance === 'function' ? perInstance(index) : perInstance[index];
      apps.push(await launch({ ...shared, ...own }));
    }
  } catch (error) {
    await Promise.all(apps.map((app) => app.close()));
    await database.drop();
    throw error;
  }
  return {
    apps,
    env: shared,
    close: async () => {
      await Promise.all(apps.map((app) => app.close()));
      await database.drop();
    },
  };
}

/**
 * One instance on a random port over an existing database (e.g. from
 * `createTestDatabase({ shareable: true })`), as a restart would find it; its `close()` is
 * idempotent and leaves the database alone.
 */
export async function launch(env: Record<string, string>): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '100000',
    RATE_LIMIT_AUTH_MAX: '100000',
    RATE_LIMIT_LOGIN_ACCOUNT_MAX: '100000',
    RATE_LIMIT_LOGIN_ADDRESS_MAX: '100000',
    RATE_LIMIT_ACCOUNT_CHANGE_MAX: '100000',
    RATE_LIMIT_MAIL_ACCOUNT_MAX: '100000',
    // Background delivery would add statements to query-counting tests and .eml files to the
    // working tree: suites about mail turn it on (test/support/mail.ts).
    MAIL_DISPATCHER: 'false',
    ...env,
  });
  const app = await createApp(config, { swaggerUi: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  let closed: Promise<void> | undefined;
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataSource: app.get(DataSource),
    close: () => (closed ??= app.close()),
  };
}
