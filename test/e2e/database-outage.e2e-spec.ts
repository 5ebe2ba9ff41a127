import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { pollUntil as pollUntilWithin, timed } from '../support/timing.js';
import type { TestApp } from '../support/test-app.js';
import type { RegisteredUser } from '../support/users.js';

/**
 * Outages of the service's dependencies, simulated by a TCP proxy between the app and the real
 * server: `cut()` drops every connection and black-holes new ones, as a dead host or a network
 * partition would. An outage only exists on PostgreSQL (SQLite is a file in the process), so the
 * database part always runs on PostgreSQL: the suite's server when DATABASE_URL is set, the local
 * one (always available here and in CI) otherwise.
 */
// Column types are chosen from DATABASE_URL when the entity files are imported, so it is set
// before the application is (dynamically) imported. Jest gives each test file its own copy of
// process.env: other files keep their dialect.
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
const adminUrl = process.env.DATABASE_URL;
const { startTestApp } = await import('../support/test-app.js');
const { registerUser } = await import('../support/users.js');
const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

/** Generous bounds: the configured timeouts are 1 s (connect) and 0.5 s (Redis command). */
const OUTAGE_ANSWER_BOUND_MS = 5000;
const RECOVERY_BOUND_MS = 15_000;

const timings: string[] = [];

/** Repeats `request` until `done` holds, at most for the recovery bound. */
const pollUntil = (
  request: () => Promise<ApiResponse>,
  done: (response: ApiResponse) => boolean,
  boundMs = RECOVERY_BOUND_MS,
) => pollUntilWithin(request, done, boundMs);

const expectUnavailable = (response: ApiResponse) => {
  expectErrorEnvelope(response, 503, 'SERVICE_UNAVAILABLE');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
};

afterAll(() => {
  // The measured times, for the record (the assertions use generous bounds).
  if (timings.length > 0) console.info(`outage timings:\n  ${timings.join('\n  ')}`);
});

describe('when PostgreSQL becomes unreachable', () => {
  const databaseName = `conduit_outage_${randomBytes(6).toString('hex')}`;
  let proxy: TcpProxy;
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;

  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${databaseName}`);
    const target = new URL(adminUrl);
    proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
    const proxied = new URL(adminUrl);
    proxied.host = `127.0.0.1:${proxy.port}`;
    proxied.pathname = `/${databaseName}`;
    // startTestApp's own fresh database goes unused (this one is reached through the proxy);
    // testApp.close() drops it.
    testApp = await startTestApp({
      DATABASE_URL: proxied.toString(),
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    });
    api = new Api(testApp.baseUrl);
    user = await registerUser(api, 'outage');
  }, 60_000);

  afterAll(async () => {
    proxy?.restore();
    await testApp?.close();
    await proxy?.close();
    await admin(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  });

  it('serves normally through the proxy before the outage', async () => {
    expect((await api.get('/api/articles')).status).toBe(200);
    expect((await api.get('/api/user', { token: user.token })).status).toBe(200);
    expect((await api.get('/api/health/ready')).status).toBe(200);
  });

  describe('during the outage', () => {
    beforeAll(() => proxy.cut());

    it('answers a public read with the 503 envelope within seconds', async () => {
      const { response, ms } = await timed(() => api.get('/api/articles'));
      timings.push(`postgres cut → GET /api/articles 503 in ${ms} ms`);
      expectUnavailable(response);
      expect(ms).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
    });

    it('answers an authenticated request with the 503 envelope within seconds', async () => {
      const { response, ms } = await timed(() => api.get('/api/user', { token: user.token }));
      timings.push(`postgres cut → GET /api/user 503 in ${ms} ms`);
      expectUnavailable(response);
      expect(ms).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
    });

    it('answers a write (login) with the 503 envelope within seconds', async () => {
      const { response, ms } = await timed(() =>
        api.post('/api/users/login', {
          body: { user: { email: user.email, password: user.password } },
        }),
      );
      expectUnavailable(response);
      expect(ms).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
    });

    it('reports not ready (503) while staying live (200)', async () => {
      const { response: ready, ms } = await timed(() => api.get('/api/health/ready'));
      timings.push(`postgres cut → readiness 503 in ${ms} ms`);
      expectUnavailable(ready);
      expect(ms).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);

      const live = await api.get('/api/health');
      expect(live.status).toBe(200);
      expect(live.body.status).toBe('ok');
    });
  });

  describe('after the database returns', () => {
    beforeAll(() => proxy.restore());

    it('recovers by itself within seconds, without a restart', async () => {
      const { response, ms } = await pollUntil(
        () => api.get('/api/articles'),
        (current) => current.status === 200,
      );
      timings.push(`postgres restored → GET /api/articles 200 after ${ms} ms`);
      expect(response.status).toBe(200);
      expect(ms).toBeLessThan(RECOVERY_BOUND_MS);
    });

    it('serves authenticated requests, logins and readiness again', async () => {
      expect((await api.get('/api/user', { token: user.token })).status).toBe(200);
      const login = await api.post('/api/users/login', {
        body: { user: { email: user.email, password: user.password } },
      });
      expect(login.status).toBe(200);
      const ready = await api.get('/api/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
    });
  });
});

describe('when Redis becomes unreachable', () => {
  let proxy: TcpProxy;
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(REDIS_URL.port || 6379), REDIS_URL.hostname);
    const proxied = new URL(REDIS_URL);
    proxied.host = `127.0.0.1:${proxy.port}`;
    testApp = await startTestApp({
      REDIS_URL: proxied.toString(),
      // Counters of their own, so other files sharing this Redis cannot affect them.
      RATE_LIMIT_KEY_PREFIX: `outage-${randomBytes(4).toString('hex')}:`,
    });
    api = new Api(testApp.baseUrl);
  }, 60_000);

  afterAll(async () => {
    proxy?.restore();
    await testApp?.close();
    await proxy?.close();
  });

  it('counts requests in Redis before the outage (rate-limit headers present)', async () => {
    const { response } = await pollUntil(
      () => api.get('/api/articles'),
      (current) => current.headers.has('ratelimit-limit'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).toBe('100000');
  });

  describe('during the outage', () => {
    beforeAll(() => proxy.cut());

    it('keeps serving: rate limiting fails open, without the headers', async () => {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const { response, ms } = await timed(() => api.get('/api/articles'));
        if (attempt === 0) timings.push(`redis cut → GET /api/articles 200 in ${ms} ms`);
        expect(response.status).toBe(200);
        expect(response.headers.has('ratelimit-limit')).toBe(false);
        expect(ms).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
      }
    });

    it('still reports ready and live (Redis is optional)', async () => {
      expect((await api.get('/api/health/ready')).status).toBe(200);
      expect((await api.get('/api/health')).status).toBe(200);
    });
  });

  describe('after Redis returns', () => {
    beforeAll(() => proxy.restore());

    it('counts requests again within seconds (rate-limit headers come back)', async () => {
      const { response, ms } = await pollUntil(
        () => api.get('/api/articles'),
        (current) => current.headers.has('ratelimit-limit'),
      );
      timings.push(`redis restored → rate-limit headers back after ${ms} ms`);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBe('100000');
      expect(ms).toBeLessThan(RECOVERY_BOUND_MS);
    });
  });
});
