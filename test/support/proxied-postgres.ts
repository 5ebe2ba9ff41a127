import pg from 'pg';
import { Api } from './http.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { launch, type TestApp } from './test-app.js';
import { createTestDatabase } from './test-database.js';

/** The application on a fresh PostgreSQL database that it reaches through a TCP proxy. */
export interface ProxiedPostgresApp {
  testApp: TestApp;
  api: Api;
  /** Between the app and PostgreSQL: cut, freeze, thaw. */
  proxy: TcpProxy;
  /** Runs SQL on the app's database directly (not through the proxy), to check what it holds. */
  query<T extends pg.QueryResultRow>(sql: string): Promise<T[]>;
  /** Thaws the proxy, stops the app and the proxy, drops the database. */
  close(): Promise<void>;
}

/** Starts the app (with `env` on top) behind a proxy to a fresh database; PostgreSQL only. */
export async function startAppBehindProxy(
  env: Record<string, string> = {},
): Promise<ProxiedPostgresApp> {
  const database = await createTestDatabase();
  const direct = new URL(database.env.DATABASE_URL);
  const proxy = await startTcpProxy(Number(direct.port || 5432), direct.hostname);
  const proxied = new URL(direct);
  proxied.host = `127.0.0.1:${proxy.port}`;
  const testApp = await launch({ ...env, DATABASE_URL: proxied.toString() });
  return {
    testApp,
    api: new Api(testApp.baseUrl),
    proxy,
    query: async <T extends pg.QueryResultRow>(sql: string) => {
      const client = new pg.Client({ connectionString: direct.toString() });
      await client.connect();
      try {
        return (await client.query<T>(sql)).rows;
      } finally {
        await client.end();
      }
    },
    close: async () => {
      proxy.thaw();
      await testApp.close();
      await proxy.close();
      await database.drop();
    },
  };
}
