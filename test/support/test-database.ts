import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Which database the e2e suite runs on: PostgreSQL when DATABASE_URL is set (CI runs the suite
 * once with it and once without), SQLite otherwise. Each test file gets its own database, so
 * files run in parallel without seeing each other's rows.
 */
export const postgresUrl = process.env.DATABASE_URL?.startsWith('postgres')
  ? process.env.DATABASE_URL
  : undefined;
export const dialect = postgresUrl ? 'postgres' : 'sqlite';

export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database. `shareable` (several app instances at once): on SQLite a file in a
 * temporary directory instead of an in-memory database, which only one connection can see.
 */
export async function createTestDatabase({ shareable = false } = {}): Promise<TestDatabase> {
  if (!postgresUrl && shareable) {
    const directory = mkdtempSync(join(tmpdir(), 'conduit-e2e-'));
    return {
      env: { SQLITE_PATH: join(directory, 'conduit.sqlite') },
      drop: async () => rmSync(directory, { recursive: true, force: true }),
    };
  }
  if (!postgresUrl) return { env: { SQLITE_PATH: ':memory:' }, drop: async () => undefined };

  const name = `conduit_e2e_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: () =>
      withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
