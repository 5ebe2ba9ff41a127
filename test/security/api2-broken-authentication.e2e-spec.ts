import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { decodeClaims, signTestToken } from '../support/tokens.js';
import { login, loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

/**
 * OWASP API2:2023 Broken Authentication: forged, stale and misused credentials. Each forged
 * token differs from an accepted one (checked first) in exactly one respect, so every 401 is
 * known to come from that respect. test/e2e/access-tokens.e2e-spec.ts covers more claim
 * variants; these are the attacks of a first hour, on a protected read and a protected write.
 */
describe('API2:2023 broken authentication', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;
  let live: { sub: string; sid: string };

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    user = await registerUser(api, 'victim');
    const { sub, sid } = decodeClaims(user.token);
    live = { sub, sid };
  });
  afterAll(() => testApp.close());

  /** A protected read and a protected write, both refused with the same clean 401. */
  const expectRefused = async (token: string) => {
    const read = await api.get('/api/user', { token });
    expectErrorEnvelope(read, 401, 'UNAUTHORIZED');
    const write = await api.post('/api/articles', {
      token,
      body: { article: { title: 'forged', description: 'forged', body: 'forged' } },
    });
    expectErrorEnvelope(write, 401, 'UNAUTHORIZED');
  };

  it('accepts a hand-signed token for the live session (control)', async () => {
    const response = await api.get('/api/user', { token: signTestToken(live) });
    expect(response.status).toBe(200);
    expect(response.body.user.username).toBe(user.username);
  });

  describe('forged access tokens get 401', () => {
    it('rejects `alg: none`', async () => {
      await expectRefused(signTestToken(live, { algorithm: 'none' }));
    });

    it('rejects `alg: none` with the signature of a real token kept', async () => {
      const [, payload, signature] = user.token.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      await expectRefused(`${header}.${payload}.${signature}`);
    });

    it('rejects a token signed with the wrong key', async () => {
      await expectRefused(signTestToken(live, { secret: 'not-the-server-secret-0123456789abcd' }));
    });

    it('rejects a token whose payload was tampered with (another subject)', async () => {
      const other = await registerUser(api, 'other');
      const [header, , signature] = user.token.split('.');
      const payload = Buffer.from(
        JSON.stringify({ ...decodeClaims(user.token), sub: String(other.id) }),
      ).toString('base64url');
      await expectRefused(`${header}.${payload}.${signature}`);
    });

    it('rejects a token whose payload claims the admin role', async () => {
      // Roles come from the database, never from the token: a self-signed `role` is ignored,
      // and a tampered one breaks the signature.
      const [header, , signature] = user.token.split('.');
      const payload = Buffer.from(
        JSON.stringify({ ...decodeClaims(user.token), role: 'admin' }),
      ).toString('base64url');
      await expectRefused(`${header}.${payload}.${signature}`);
      const selfSigned = await api.get('/api/users', {
        token: signTestToken({ ...live, role: 'admin' }),
      });
      expectErrorEnvelope(selfSigned, 403, 'FORBIDDEN');
    });

    it('rejects an expired token', async () => {
      await expectRefused(signTestToken(live, { expiresIn: -1 }));
    });

    it('rejects a token that is not valid yet (`nbf` in the future)', async () => {
      await expectRefused(signTestToken({ ...live, nbf: Math.floor(Date.now() / 1000) + 300 }));
    });
  });

  describe('tokens used for the wrong purpose', () => {
    it('rejects a refresh token presented as an access token', async () => {
      await expectRefused(user.refreshToken);
    });

    it('rejects an access token presented as a refresh token', async () => {
      const response = await api.post('/api/auth/refresh', {
        body: { refreshToken: user.token },
      });
      // A JWT is longer than any refresh token the API issues: refused before any lookup.
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toHaveProperty(
        'refreshToken',
      );
      const short = signTestToken({ ...live, typ: 'refresh' }).slice(0, 256);
      const truncated = await api.post('/api/auth/refresh', { body: { refreshToken: short } });
      expectErrorEnvelope(truncated, 401, 'UNAUTHORIZED');
    });

    it('rejects a refresh token sent in the Authorization header of the refresh route', async () => {
      const response = await api.post('/api/auth/refresh', { token: user.refreshToken, body: {} });
      expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
    });
  });

  describe('stale credentials', () => {
    it('rejects the token of a deleted user, on every kind of route', async () => {
      const doomed = await registerUser(api, 'doomed');
      expect((await api.get('/api/user', { token: doomed.token })).status).toBe(200);
      await testApp.dataSource
        .createQueryBuilder()
        .delete()
        .from('users')
        .where('id = :id', { id: doomed.id })
        .execute();
      await expectRefused(doomed.token);
      const refresh = await api.post('/api/auth/refresh', {
        body: { refreshToken: doomed.refreshToken },
      });
      expectErrorEnvelope(refresh, 401, 'UNAUTHORIZED');
      // Optional-auth routes refuse it too, instead of silently treating the caller as anonymous.
      const optional = await api.get('/api/articles', { token: doomed.token });
      expectErrorEnvelope(optional, 401, 'UNAUTHORIZED');
    });

    it('rejects the access token of a session that logged out', async () => {
      const session = await loginTokens(api, user.email, user.password);
      expect((await api.post('/api/auth/logout', { token: session.token })).status).toBe(204);
      await expectRefused(session.token);
    });

    it('revokes the whole session when a used refresh token is replayed', async () => {
      const session = await loginTokens(api, user.email, user.password);
      const rotated = await api.post('/api/auth/refresh', {
        body: { refreshToken: session.refreshToken },
      });
      expect(rotated.status).toBe(200);
      // From another device: a repeat by the same client within seconds would get the same pair.
      const replay = await api.post('/api/auth/refresh', {
        body: { refreshToken: session.refreshToken },
        headers: { 'user-agent': 'thief-device/1.0' },
      });
      expectErrorEnvelope(replay, 401, 'UNAUTHORIZED');
      // The thief's replay also kills the legitimate holder's fresh tokens.
      await expectRefused(rotated.body.user.token);
      const next = await api.post('/api/auth/refresh', {
        body: { refreshToken: rotated.body.user.refreshToken },
      });
      expectErrorEnvelope(next, 401, 'UNAUTHORIZED');
    });

    it('ends every other session when the password changes', async () => {
      const owner = await registerUser(api, 'owner');
      const stolen = await loginTokens(api, owner.email, owner.password);
      const changed = await api.put('/api/user', {
        token: owner.token,
        body: { user: { password: 'a-brand-new-password' } },
      });
      expect(changed.status).toBe(200);
      await expectRefused(stolen.token);
      expect((await api.get('/api/user', { token: owner.token })).status).toBe(200);
    });
  });

  describe('credential guessing gets no hints', () => {
    it('answers a wrong password and an unknown email identically', async () => {
      const wrongPassword = await login(api, user.email, 'wrong-password-123');
      const unknownEmail = await login(api, 'nobody-at-all@example.com', 'wrong-password-123');
      const a = expectErrorEnvelope(wrongPassword, 401, 'UNAUTHORIZED');
      const b = expectErrorEnvelope(unknownEmail, 401, 'UNAUTHORIZED');
      expect(a).toEqual(b);
    });

    it('never matches a partial or wildcard email', async () => {
      const partial = await login(api, `x${user.email}`, user.password);
      expectErrorEnvelope(partial, 401, 'UNAUTHORIZED');
      const wildcard = await login(api, `%${user.email.slice(1)}`, user.password);
      expect([401, 422]).toContain(wildcard.status);
      expect(wildcard.body.user).toBeUndefined();
    });
  });
});
