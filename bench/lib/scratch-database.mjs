// A scratch PostgreSQL database for a benchmark run, dropped afterwards (unless kept).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Returns the URL of BENCH_DATABASE_URL when set, otherwise of a new `<prefix>_<random>`
 * database created through BENCH_PG_ADMIN_URL; `cleanups` receives the function that drops it.
 */
export async function scratchDatabase({ prefix, keep, cleanups, log }) {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  log(`scratch database ${name}`);
  if (!keep)
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
