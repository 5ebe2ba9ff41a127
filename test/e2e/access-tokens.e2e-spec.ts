import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { decodeClaims, signTestToken } from '../support/tokens.js';
import { loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

describe('access tokens', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;
  /** Claims naming `user` and the live session of `user.token`. */
  let liveClaims: { sub: string; sid: string };

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    user = await registerUser(api);
    const { sub, sid } = decodeClaims(user.token);
    liveClaims = { sub, sid };
  });
  afterAll(() => testApp.close());

  const expectRejected = async (authorization: string) => {
    const response = await api.get('/api/user', { headers: { authorization } });
    return expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
  };

  describe('accepted tokens', () => {
    it('accepts the token from registration with the RealWorld `Token` scheme', async () => {
      const response = await api.get('/api/user', { token: user.token, scheme: 'Token' });
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({ username: user.username, token: user.token });
    });

    it('accepts the same token with the `Bearer` scheme', async () => {
      const response = await api.get('/api/user', { token: user.token, scheme: 'Bearer' });
      expect(response.status).toBe(200);
      expect(response.body.user.username).toBe(user.username);
    });

    it('accepts a hand-signed HS256 token for a live session (control for the cases below)', async () => {
      const response = await api.get('/api/user', { token: signTestToken(liveClaims) });
      expect(response.status).toBe(200);
      expect(response.body.user.username).toBe(user.username);
    });
  });

  describe('rejected tokens (401)', () => {
    it('rejects a request without an Authorization header', async () => {
      const response = await api.get('/api/user');
      const errors = expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect(errors.body).toEqual(['a valid access token is required']);
    });

    it.each([
      ['an unknown scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
      ['a scheme without a token', () => 'Token'],
      ['a bare token without a scheme', () => user.token],
      ['a token that is not a JWT', () => 'Token not-a-jwt'],
      ['a JWT with garbage segments', () => 'Bearer aaa.bbb.ccc'],
    ])('rejects %s', async (_label, header) => {
      await expectRejected(header());
    });

    it('rejects an unsigned token with `alg: none`', async () => {
      await expectRejected(`Token ${signTestToken(liveClaims, { algorithm: 'none' })}`);
    });

    it('rejects an HS512 token signed with the right secret', async () => {
      await expectRejected(`Token ${signTestToken(liveClaims, { algorithm: 'HS512' })}`);
    });

    it('rejects an RS256 token', async () => {
      await expectRejected(`Token ${signTestToken(liveClaims, { algorithm: 'RS256' })}`);
    });

    it('rejects a token signed with another secret', async () => {
      const token = signTestToken(liveClaims, { secret: 'another-secret-0123456789abcdefghijkl' });
      await expectRejected(`Token ${token}`);
    });

    it('rejects an issued token whose payload was altered', async () => {
      const [header, , signature] = user.token.split('.');
      const payload = Buffer.from(
        JSON.stringify({ ...decodeClaims(user.token), sub: '999999' }),
      ).toString('base64url');
      await expectRejected(`Token ${header}.${payload}.${signature}`);
    });

    it('rejects an expired token and says so', async () => {
      const errors = await expectRejected(`Token ${signTestToken(liveClaims, { expiresIn: -60 })}`);
      expect(errors.body).toEqual(['token has expired']);
    });

    it.each([
      ['another issuer', { iss: 'someone-else' }],
      ['another audience', { aud: 'another-api' }],
      ['a non-access token type', { typ: 'refresh' }],
      ['no session id', { sid: undefined }],
      ['a non-numeric subject', { sub: 'admin' }],
      ['an unknown session', { sid: '00000000-0000-4000-8000-000000000000' }],
      ['no expiry', { exp: undefined }],
    ])('rejects a token with %s', async (_label, override) => {
      await expectRejected(`Token ${signTestToken({ ...liveClaims, ...override })}`);
    });

    it("rejects a token pairing the user with another user's session", async () => {
      const other = await registerUser(api, 'other');
      const token = signTestToken({ sub: liveClaims.sub, sid: decodeClaims(other.token).sid });
      await expectRejected(`Token ${token}`);
    });

    it('rejects the token of a deleted user', async () => {
      const doomed = await registerUser(api, 'doomed');
      expect((await api.get('/api/user', { token: doomed.token })).status).toBe(200);
      await testApp.dataSource
        .createQueryBuilder()
        .delete()
        .from('users')
        .where('id = :id', { id: doomed.id })
        .execute();
      await expectRejected(`Token ${doomed.token}`);
    });

    it('rejects the token of a session ended by logout', async () => {
      const { token } = await loginTokens(api, user.email, user.password);
      expect((await api.post('/api/auth/logout', { token })).status).toBe(204);
      await expectRejected(`Token ${token}`);
    });

    it('rejects the token of a session revoked through DELETE /api/auth/sessions/:id', async () => {
      const { token } = await loginTokens(api, user.email, user.password);
      const response = await api.delete(`/api/auth/sessions/${decodeClaims(token).sid}`, {
        token: user.token,
      });
      expect(response.status).toBe(204);
      await expectRejected(`Bearer ${token}`);
    });

    it('keeps accepting the tokens of other sessions after one session ends', async () => {
      const response = await api.get('/api/user', { token: user.token });
      expect(response.status).toBe(200);
    });
  });
  /** GET /api/profiles/:username is the foundation's @OptionalAuth() case in the wild. */
  describe('optional authentication', () => {
    const profile = (headers: Record<string, string> = {}) =>
      api.get(`/api/profiles/${user.username}`, { headers });

    it('serves an anonymous caller', async () => {
      const response = await profile();
      expect(response.status).toBe(200);
      expect(response.body.profile.username).toBe(user.username);
    });

    it('serves a caller with a valid token', async () => {
      expect((await profile({ authorization: `Token ${user.token}` })).status).toBe(200);
    });

    it.each([
      ['an invalid token', () => 'Token not-a-jwt'],
      ['an expired token', () => `Token ${signTestToken(liveClaims, { expiresIn: -60 })}`],
      ['an unknown scheme', () => 'Basic abc'],
    ])('treats %s as anonymous and says so in WWW-Authenticate', async (_label, header) => {
      const response = await profile({ authorization: header() });
      expect(response.status).toBe(200);
      expect(response.body.profile.username).toBe(user.username);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });
  });
});
