import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Api, type ApiResponse, type RequestOptions } from '../support/http.js';
import {
  type BuiltServer,
  removeBuild,
  startBuiltServer,
  stopAllServers,
} from '../support/spawn-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { FuzzRunner } from './fuzz/runner.js';

/**
 * Log secrecy (issue 7, item 3): the built server runs as in production but at LOG_LEVEL=trace
 * with SQL logging on; its whole output is captured while the test registers, logs in (right
 * and wrong), refreshes, reuses a refresh token, changes a password, logs out, sends malformed
 * and invalid bodies full of passwords, puts tokens where clients wrongly put them (URL query,
 * path, Basic auth), hits a 500 and runs a short fuzz. No password, access token or refresh
 * token used may appear in the log, in any encoding.
 */
const JWT_SECRET = randomBytes(48).toString('base64url');
const ADMIN = { email: 'log-admin@example.com', password: 'Log-admin-pw-H5tV9qZ2xN' };
const FUZZ_REQUESTS = Number(process.env.LOG_SECRECY_FUZZ_REQUESTS ?? 260);

describe('log secrecy (built server, LOG_LEVEL=trace, DATABASE_LOGGING=true)', () => {
  let server: BuiltServer;
  let database: TestDatabase;
  let api: Api;
  let log = '';
  const passwords = new Set<string>();
  const tokens = new Set<string>();
  const requestIds: string[] = [];
  const sentRequests = new Map<string, string>();

  /** Sends a request and remembers its id and any tokens it returns. */
  async function send(method: string, path: string, options: RequestOptions = {}) {
    const response = await api.request(method, path, options);
    const id = response.headers.get('x-request-id');
    if (id) requestIds.push(id);
    if (id) sentRequests.set(id, `${method} ${path.slice(0, 60)} → ${response.status}`);
    for (const field of ['token', 'refreshToken']) {
      const value = response.body?.user?.[field];
      if (typeof value === 'string') tokens.add(value);
    }
    return response;
  }
  const json = (body: unknown): RequestOptions => ({ body });
  const password = (label: string) => {
    const value = `Pw-${label}-${randomBytes(6).toString('hex')}`;
    passwords.add(value);
    return value;
  };
  const ok = (response: ApiResponse, status: number) => {
    if (response.status !== status)
      throw new Error(
        `expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`,
      );
    return response;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ shareable: true });
    server = await startBuiltServer({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      JWT_SECRET,
      LOG_LEVEL: 'trace',
      LOG_PRETTY: 'false',
      DATABASE_LOGGING: 'true',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_MAX: '1000000',
      RATE_LIMIT_AUTH_MAX: '1000000',
      RATE_LIMIT_LOGIN_ACCOUNT_MAX: '1000000',
      RATE_LIMIT_LOGIN_ADDRESS_MAX: '1000000',
      RATE_LIMIT_ACCOUNT_CHANGE_MAX: '1000000',
      ...database.env,
    });
    api = new Api(server.baseUrl);
    passwords.add(ADMIN.password);

    // Registration, including invalid attempts whose bodies carry passwords.
    const first = password('first');
    const email = `log-${randomBytes(4).toString('hex')}@example.com`;
    const user = { email, username: `log_${randomBytes(4).toString('hex')}`, password: first };
    ok(await send('POST', '/api/users', json({ user })), 201);
    await send('POST', '/api/users', json({ user }));
    await send('POST', '/api/users', json({ user: { ...user, email: 'x', password: 'Short7!' } }));
    passwords.add('Short7!');
    await send(
      'POST',
      '/api/users',
      json({ user: { ...user, password: password('long').repeat(30) } }),
    );
    await send(
      'POST',
      '/api/users',
      json({ user: { ...user, role: 'admin', password: password('role') } }),
    );
    await send(
      'POST',
      '/api/users',
      json({ user: { ...user, password: { value: password('obj') } } }),
    );
    await send('POST', '/api/users', json({ user: { ...user, password: [password('arr')] } }));
    for (const raw of [
      `{"user":{"email":"${email}","password":"${password('trunc')}"`,
      `{"user":{"email":"${email}","password":"${password('junk')}"}}trailing`,
      `{'user':{'password':'${password('quote')}'}}`,
    ]) {
      await send('POST', '/api/users/login', {
        rawBody: raw,
        headers: { 'content-type': 'application/json' },
      });
      await send('POST', '/api/users', {
        rawBody: raw,
        headers: { 'content-type': 'application/json' },
      });
    }
    await send('POST', '/api/users/login', {
      rawBody: `user[email]=${email}&user[password]=${password('form')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    // Logins: wrong password, unknown account, the right one; tokens in the wrong places.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await send(
        'POST',
        '/api/users/login',
        json({ user: { email, password: password('wrong') } }),
      );
    }
    await send(
      'POST',
      '/api/users/login',
      json({ user: { email: 'nobody@example.com', password: first } }),
    );
    const login = ok(
      await send('POST', '/api/users/login', json({ user: { email, password: first } })),
      200,
    );
    const { token, refreshToken } = login.body.user;
    ok(await send('GET', '/api/user', { token }), 200);
    ok(await send('GET', '/api/user', { token, scheme: 'Bearer' }), 200);
    await send('GET', `/api/user?token=${token}`);
    await send(
      'GET',
      `/api/user?access_token=${encodeURIComponent(token)}&refreshToken=${refreshToken}`,
    );
    await send('GET', `/api/articles?password=${encodeURIComponent(first)}`);
    await send('GET', `/api/profiles/${token}`);
    await send('GET', '/api/user', {
      headers: { authorization: `Basic ${Buffer.from(`${email}:${first}`).toString('base64')}` },
    });
    await send('GET', '/api/user', {
      headers: { cookie: `token=${token}`, 'x-api-key': refreshToken },
    });
    await send('GET', '/api/user', { token: `${token}x` });

    // Refresh, reuse of a spent refresh token (revokes the session), new login.
    const refreshed = ok(await send('POST', '/api/auth/refresh', json({ refreshToken })), 200);
    await send('POST', '/api/auth/refresh', json({ refreshToken }));
    await send(
      'POST',
      '/api/auth/refresh',
      json({ refreshToken: `${refreshed.body.user.refreshToken}!` }),
    );
    await send(
      'POST',
      '/api/auth/refresh',
      json({ refreshToken: refreshed.body.user.refreshToken }),
    );
    const again = ok(
      await send('POST', '/api/users/login', json({ user: { email, password: first } })),
      200,
    );

    // Password change (invalid, then valid), old password refused, logout.
    const second = password('second');
    await send('PUT', '/api/user', {
      token: again.body.user.token,
      body: { user: { password: 'short' } },
    });
    ok(
      await send('PUT', '/api/user', {
        token: again.body.user.token,
        body: { user: { password: second } },
      }),
      200,
    );
    await send('POST', '/api/users/login', json({ user: { email, password: first } }));
    const third = ok(
      await send('POST', '/api/users/login', json({ user: { email, password: second } })),
      200,
    );
    const sessions = ok(
      await send('GET', '/api/auth/sessions', { token: third.body.user.token }),
      200,
    );
    for (const session of sessions.body.sessions) {
      await send('DELETE', `/api/auth/sessions/${session.id}`, { token: third.body.user.token });
    }
    const fourth = ok(
      await send('POST', '/api/users/login', json({ user: { email, password: second } })),
      200,
    );
    ok(await send('POST', '/api/auth/logout', { token: fourth.body.user.token }), 204);
    await send('GET', '/api/user', { token: fourth.body.user.token });

    // A short fuzz of every operation against the same server.
    const runner = new FuzzRunner(
      { baseUrl: server.baseUrl, jwtSecret: JWT_SECRET, admin: ADMIN },
      (await api.get('/docs-json')).body,
    );
    await runner.setup();
    await runner.run(FUZZ_REQUESTS, 7);
    for (const secret of runner.secrets.all()) {
      if (secret === JWT_SECRET) continue;
      if (secret.startsWith('eyJ') || /^[\w-]{43}$/.test(secret)) tokens.add(secret);
      else passwords.add(secret);
    }

    // A 500: the refresh-token table disappears under the running server.
    await dropTable('refresh_tokens');
    const failure = await send(
      'POST',
      '/api/auth/refresh',
      json({ refreshToken: fourth.body.user.refreshToken }),
    );
    if (failure.status !== 500) throw new Error(`expected a 500, got ${failure.status}`);

    await server.stop();
    log = server.stdout() + server.stderr();
  }, 600_000);

  afterAll(async () => {
    await stopAllServers();
    await database?.drop();
    await removeBuild();
  });

  async function dropTable(table: string): Promise<void> {
    if (database.env.DATABASE_URL) {
      const client = new pg.Client({ connectionString: database.env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP TABLE ${table} CASCADE`);
      await client.end();
    } else {
      const sqlite = new Database(database.env.SQLITE_PATH);
      sqlite.exec(`DROP TABLE ${table}`);
      sqlite.close();
    }
  }

  /** The ways a secret can be written down: as is, URL-encoded, JSON-escaped, base64. */
  function forms(secret: string): string[] {
    const variants = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
    // The signature alone proves possession of nothing, but it is the unguessable part.
    if (secret.startsWith('eyJ')) variants.push(secret.split('.')[2]);
    return [...new Set(variants)];
  }

  function leaked(secrets: Iterable<string>): string[] {
    return [...secrets].filter((secret) => forms(secret).some((form) => log.includes(form)));
  }

  it('captures the log of every request of the run (self-check)', () => {
    expect(requestIds.length).toBeGreaterThan(40);
    expect(
      requestIds.filter((id) => !log.includes(`"id":"${id}"`)).map((id) => sentRequests.get(id)),
    ).toEqual([]);
    expect(log).toContain('request rejected by the router');
    expect(log).toContain('unexpected error');
    expect(log).toMatch(/SELECT|select/);
  });

  it('would notice a secret in the log (self-check)', () => {
    expect(leaked([requestIds[0], 'no-such-secret'])).toEqual([requestIds[0]]);
  });

  it('contains no password used in the run', () => {
    expect(passwords.size).toBeGreaterThan(15);
    expect(leaked(passwords)).toEqual([]);
  });

  it('contains no access token issued in the run', () => {
    const access = [...tokens].filter((token) => token.startsWith('eyJ'));
    expect(access.length).toBeGreaterThan(10);
    expect(leaked(access)).toEqual([]);
  });

  it('contains no refresh token issued in the run', () => {
    const refresh = [...tokens].filter((token) => !token.startsWith('eyJ'));
    expect(refresh.length).toBeGreaterThan(10);
    expect(leaked(refresh)).toEqual([]);
  });

  it('contains neither the JWT secret nor a password hash', () => {
    expect(log).not.toContain(JWT_SECRET);
    expect(log).not.toMatch(/\$argon2/);
  });
});
