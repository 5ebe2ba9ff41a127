import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, loginTokens, newCredentials, registerUser } from '../support/users.js';

const ADMIN = { email: 'root@example.com', password: 'admin-password-1' };
const USER_KEYS = ['bio', 'email', 'emailVerified', 'image', 'token', 'username'];

describe('account: register, login, current user', () => {
  let testApp: TestApp;
  let api: Api;
  let adminToken: string;

  beforeAll(async () => {
    testApp = await startTestApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    api = new Api(testApp.baseUrl);
    adminToken = (await loginTokens(api, ADMIN.email, ADMIN.password)).token;
  });
  afterAll(() => testApp.close());

  /** The account as administrators see it (role included), or undefined when it does not exist. */
  const findAccount = async (username: string) => {
    const response = await api.get(`/api/users?search=${encodeURIComponent(username)}`, {
      token: adminToken,
    });
    expect(response.status).toBe(200);
    return response.body.users.find((user: { username: string }) => user.username === username);
  };

  describe('POST /api/users', () => {
    it('returns 201 with the RealWorld user, an access token and a refresh token', async () => {
      const credentials = newCredentials();
      const response = await api.post('/api/users', { body: { user: credentials } });
      expect(response.status).toBe(201);
      expect(Object.keys(response.body)).toEqual(['user']);
      expect(Object.keys(response.body.user).sort()).toEqual([...USER_KEYS, 'refreshToken'].sort());
      expect(response.body.user).toMatchObject({
        email: credentials.email,
        username: credentials.username,
        bio: null,
        image: null,
      });
      expect(response.body.user.token.split('.')).toHaveLength(3);
      expect(response.body.user.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('stores the email lower-cased and trims username and email', async () => {
      const credentials = newCredentials('Mixed');
      const response = await api.post('/api/users', {
        body: {
          user: {
            ...credentials,
            email: `  ${credentials.email.toUpperCase()} `,
            username: ` ${credentials.username} `,
          },
        },
      });
      expect(response.status).toBe(201);
      expect(response.body.user.email).toBe(credentials.email.toLowerCase());
      expect(response.body.user.username).toBe(credentials.username);
    });

    it('creates accounts with the user role', async () => {
      const user = await registerUser(api);
      expect((await findAccount(user.username)).role).toBe('user');
    });

    it.each([
      ['role', { role: 'admin' }],
      ['id', { id: 1 }],
      ['createdAt', { createdAt: '2000-01-01T00:00:00.000Z' }],
      ['updatedAt', { updatedAt: '2000-01-01T00:00:00.000Z' }],
      ['passwordHash', { passwordHash: '$argon2id$forged' }],
    ])('returns 422 and creates nothing when the body sets %s', async (field, extra) => {
      const credentials = newCredentials();
      const response = await api.post('/api/users', {
        body: { user: { ...credentials, ...extra } },
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(errors).toEqual({ [field]: ['is not allowed'] });
      expect(await findAccount(credentials.username)).toBeUndefined();
    });

    it('returns 422 when role is sent beside the user object', async () => {
      const response = await api.post('/api/users', {
        body: { user: newCredentials(), role: 'admin' },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toEqual({
        role: ['is not allowed'],
      });
    });

    it('lets exactly one of several concurrent registrations of one email succeed', async () => {
      const credentials = newCredentials('race');
      const responses = await Promise.all(
        ['a', 'b', 'c', 'd'].map((suffix) =>
          api.post('/api/users', {
            body: { user: { ...credentials, username: `${credentials.username}_${suffix}` } },
          }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409]);
      for (const response of responses.filter((candidate) => candidate.status === 409)) {
        expect(expectErrorEnvelope(response, 409, 'CONFLICT')).toEqual({
          email: ['has already been taken'],
        });
      }
    });
  });

  describe('POST /api/users/login', () => {
    it('returns 200 with the user and a new pair of tokens', async () => {
      const user = await registerUser(api);
      const response = await login(api, user.email.toUpperCase(), user.password);
      expect(response.status).toBe(200);
      expect(Object.keys(response.body.user).sort()).toEqual([...USER_KEYS, 'refreshToken'].sort());
      expect(response.body.user.username).toBe(user.username);
      expect(response.body.user.refreshToken).not.toBe(user.refreshToken);
      expect((await api.get('/api/user', { token: response.body.user.token })).status).toBe(200);
    });

    it('trims surrounding whitespace from the email, as registration does', async () => {
      const user = await registerUser(api);
      const response = await login(api, `  ${user.email.toUpperCase()}\t`, user.password);
      expect(response.status).toBe(200);
      expect(response.body.user.email).toBe(user.email);
    });

    it('returns 401 with one message for a wrong password and for an unknown email', async () => {
      const user = await registerUser(api);
      const wrongPassword = await login(api, user.email, 'wrong-password');
      const unknownEmail = await login(api, 'nobody@example.com', user.password);
      expect(expectErrorEnvelope(wrongPassword, 401, 'UNAUTHORIZED')).toEqual({
        body: ['email or password is invalid'],
      });
      expect(expectErrorEnvelope(unknownEmail, 401, 'UNAUTHORIZED')).toEqual({
        body: ['email or password is invalid'],
      });
    });

    it('returns 422 keyed by field for an invalid login body', async () => {
      const response = await api.post('/api/users/login', {
        body: { user: { email: 'nope', password: '' } },
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors).sort()).toEqual(['email', 'password']);
    });
  });

  describe('GET /api/user', () => {
    it('returns the current user with the token that was sent and no refresh token', async () => {
      const user = await registerUser(api);
      const response = await api.get('/api/user', { token: user.token });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body.user).sort()).toEqual(USER_KEYS);
      expect(response.body.user).toEqual({
        email: user.email,
        username: user.username,
        token: user.token,
        bio: null,
        image: null,
        emailVerified: false,
      });
    });
  });

  describe('PUT /api/user', () => {
    it('updates username, bio and image; a new email only waits for confirmation', async () => {
      const user = await registerUser(api);
      const changes = {
        email: `New-${user.email}`,
        username: `${user.username}_new`,
        bio: 'I like to skateboard',
        image: 'https://example.com/me.png',
      };
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { ...changes, currentPassword: user.password } },
      });
      expect(response.status).toBe(200);
      // The address changes when the new one confirms (test/e2e/account-lifecycle).
      expect(response.body.user).toEqual({
        ...changes,
        email: user.email,
        token: user.token,
        emailVerified: false,
      });
      const reread = await api.get('/api/user', { token: user.token });
      expect(reread.body.user).toEqual(response.body.user);
    });

    it('changes only the fields that are sent', async () => {
      const user = await registerUser(api);
      await api.put('/api/user', { token: user.token, body: { user: { bio: 'first' } } });
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { image: 'https://example.com/a.png' } },
      });
      expect(response.body.user).toMatchObject({
        bio: 'first',
        image: 'https://example.com/a.png',
        email: user.email,
        username: user.username,
      });
    });

    it('clears bio and image when they are sent empty', async () => {
      const user = await registerUser(api);
      await api.put('/api/user', {
        token: user.token,
        body: { user: { bio: 'x', image: 'https://example.com/a.png' } },
      });
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { bio: '', image: '' } },
      });
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({ bio: null, image: null });
    });

    it('makes the new password the only one that logs in', async () => {
      const user = await registerUser(api);
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { password: 'brand-new-password' } },
      });
      expect(response.status).toBe(200);
      expect((await login(api, user.email, 'brand-new-password')).status).toBe(200);
      expect((await login(api, user.email, user.password)).status).toBe(401);
    });

    it('ends every other session when the password changes, keeping the current one', async () => {
      const user = await registerUser(api);
      const otherDevice = await loginTokens(api, user.email, user.password);
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { password: 'another-new-password' } },
      });
      expect(response.status).toBe(200);
      expect((await api.get('/api/user', { token: otherDevice.token })).status).toBe(401);
      const refresh = await api.post('/api/auth/refresh', {
        body: { refreshToken: otherDevice.refreshToken },
      });
      expect(refresh.status).toBe(401);
      expect((await api.get('/api/user', { token: user.token })).status).toBe(200);
    });

    it('accepts the current email and username unchanged', async () => {
      const user = await registerUser(api);
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { email: user.email, username: user.username } },
      });
      expect(response.status).toBe(200);
    });

    it.each(['email', 'username'] as const)(
      'returns 409 keyed by %s when it belongs to another user',
      async (field) => {
        const user = await registerUser(api);
        const other = await registerUser(api);
        const response = await api.put('/api/user', {
          token: user.token,
          body: { user: { [field]: other[field], currentPassword: user.password } },
        });
        expect(expectErrorEnvelope(response, 409, 'CONFLICT')).toEqual({
          [field]: ['has already been taken'],
        });
      },
    );

    it.each([
      ['role', { role: 'admin' }],
      ['id', { id: 1 }],
      ['createdAt', { createdAt: '2000-01-01T00:00:00.000Z' }],
    ])(
      'returns 422 and keeps the account unchanged when the body sets %s',
      async (field, extra) => {
        const user = await registerUser(api);
        const response = await api.put('/api/user', {
          token: user.token,
          body: { user: { bio: 'sneaky', ...extra } },
        });
        expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toEqual({
          [field]: ['is not allowed'],
        });
        const account = await findAccount(user.username);
        expect(account.role).toBe('user');
        expect(account.bio).toBeNull();
      },
    );

    it.each(['email', 'username', 'password'])(
      'returns 422 keyed by %s and keeps the account when it is sent as null',
      async (field) => {
        const user = await registerUser(api);
        const response = await api.put('/api/user', {
          token: user.token,
          body: { user: { [field]: null } },
        });
        expect(Object.keys(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED'))).toEqual([
          field,
        ]);
        expect((await api.get('/api/user', { token: user.token })).body.user).toMatchObject({
          email: user.email,
          username: user.username,
        });
        expect((await login(api, user.email, user.password)).status).toBe(200);
      },
    );

    it('clears bio and image when they are sent as null', async () => {
      const user = await registerUser(api);
      await api.put('/api/user', {
        token: user.token,
        body: { user: { bio: 'x', image: 'https://example.com/a.png' } },
      });
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { bio: null, image: null } },
      });
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({ bio: null, image: null });
    });

    it('returns 422 keyed by field for invalid values', async () => {
      const user = await registerUser(api);
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { email: 'nope', image: 'javascript:alert(1)', password: 'short' } },
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors).sort()).toEqual(['email', 'image', 'password']);
    });

    it('returns 422 for NUL characters in bio and image on every database', async () => {
      const user = await registerUser(api);
      const response = await api.put('/api/user', {
        token: user.token,
        body: { user: { bio: 'a\u0000b', image: 'https://example.com/a\u0000.png' } },
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(errors.bio).toContain('must not contain NUL characters');
      expect(Object.keys(errors).sort()).toEqual(['bio', 'image']);
      const current = await api.get('/api/user', { token: user.token });
      expect(current.body.user.bio).toBeNull();
    });

    it('returns 401 without a token', async () => {
      const response = await api.put('/api/user', { body: { user: { bio: 'x' } } });
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    });
  });
});
