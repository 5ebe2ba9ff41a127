import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Session } from '../../src/modules/auth/entities/session.entity.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { decodeClaims } from '../support/tokens.js';
import { login, loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

/**
 * PUT /api/user: email and password changes need recent authentication (the current password,
 * or a login less than RECENT_AUTH_MAX_AGE_SECONDS old), so a leaked access token alone cannot
 * take the account over.
 */
describe('recent authentication for sensitive account changes', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  const update = (token: string, user: Record<string, unknown>) =>
    api.put('/api/user', { token, body: { user } });

  /** Moves the session's login 11 minutes into the past (the default bound is 10). */
  const ageLogin = (token: string) =>
    testApp.dataSource
      .createQueryBuilder()
      .update(Session)
      .set({ authenticatedAt: new Date(Date.now() - 11 * 60_000) })
      .where('id = :id', { id: decodeClaims(token).sid })
      .execute();

  /** Unconfirmed email changes of the account that has this email. */
  const pendingEmailChanges = async (email: string): Promise<number> => {
    const row = await testApp.dataSource
      .createQueryBuilder()
      .select('COUNT(*)', 'count')
      .from('account_tokens', 't')
      .innerJoin('users', 'u', 'u.id = t.user_id')
      .where("t.purpose = 'email_change' AND t.used_at IS NULL AND u.email = :email", { email })
      .getRawOne<{ count: number | string }>();
    return Number(row?.count);
  };

  /** A user whose token comes from a login 11 minutes ago, as a leaked token would. */
  async function staleUser(): Promise<RegisteredUser> {
    const user = await registerUser(api, 'stale');
    await ageLogin(user.token);
    return user;
  }

  it('lets the token of a fresh login change email and password (the RealWorld settings page)', async () => {
    const user = await registerUser(api, 'fresh');
    const { token } = await loginTokens(api, user.email, user.password);
    const email = `moved-${user.email}`;
    const response = await update(token, { email, password: 'a-new-password-1', bio: 'hi' });
    expect(response.status).toBe(200);
    // The new email waits for confirmation from that address (account-lifecycle tests).
    expect(response.body.user.email).toBe(user.email);
    expect(await pendingEmailChanges(user.email)).toBe(1);
    expect((await login(api, user.email, 'a-new-password-1')).status).toBe(200);
  });

  it.each([
    ['password', { password: 'a-new-password-1' }],
    ['email', { email: 'taken-over@example.com' }],
  ])(
    'refuses a %s change with a stale token: 403 REAUTHENTICATION_REQUIRED, account unchanged',
    async (_field, change) => {
      const user = await staleUser();
      const response = await update(user.token, change);
      const errors = expectErrorEnvelope(response, 403, 'REAUTHENTICATION_REQUIRED');
      expect(Object.keys(errors)).toEqual(['currentPassword']);
      expect(errors.currentPassword[0]).toMatch(/current password or a login less than 10 minutes/);
      expect((await login(api, user.email, user.password)).status).toBe(200);
      // The token still works: a 403, not a 401 that would log the client out.
      expect((await api.get('/api/user', { token: user.token })).status).toBe(200);
    },
  );

  it('keeps the login time through refreshes: a refreshed token of an old login is still stale', async () => {
    const user = await staleUser();
    const refreshed = await api.post('/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    // The new token carries the session's (aged) login time, not the time of the refresh.
    const authTime = Number(decodeClaims(refreshed.body.user.token).auth_time);
    expect(Date.now() / 1000 - authTime).toBeGreaterThan(10 * 60);
    const response = await update(refreshed.body.user.token, { password: 'a-new-password-1' });
    expectErrorEnvelope(response, 403, 'REAUTHENTICATION_REQUIRED');
  });

  it('accepts a stale token together with the right current password', async () => {
    const user = await staleUser();
    const response = await update(user.token, {
      password: 'a-new-password-1',
      currentPassword: user.password,
    });
    expect(response.status).toBe(200);
    expect((await login(api, user.email, 'a-new-password-1')).status).toBe(200);
  });

  it('refuses a wrong current password even with a fresh token', async () => {
    const user = await registerUser(api, 'typo');
    const response = await update(user.token, {
      password: 'a-new-password-1',
      currentPassword: 'not-my-password',
    });
    expect(expectErrorEnvelope(response, 403, 'REAUTHENTICATION_REQUIRED')).toEqual({
      currentPassword: ['is invalid'],
    });
    expect((await login(api, user.email, user.password)).status).toBe(200);
  });

  it('lets a stale token change bio, image and username, and send the email back unchanged', async () => {
    const user = await staleUser();
    const response = await update(user.token, {
      email: user.email.toUpperCase(),
      username: `${user.username}_2`,
      bio: 'still me',
      image: 'https://example.com/me.png',
    });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ email: user.email, bio: 'still me' });
  });

  it.each([null, '', 42])(
    'returns 422 keyed by currentPassword for %p',
    async (currentPassword) => {
      const user = await registerUser(api, 'invalid');
      const response = await update(user.token, { password: 'a-new-password-1', currentPassword });
      expect(Object.keys(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED'))).toEqual([
        'currentPassword',
      ]);
    },
  );
});

describe('recent authentication with RECENT_AUTH_MAX_AGE_SECONDS=0', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({ RECENT_AUTH_MAX_AGE_SECONDS: '0' });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('always asks for the current password', async () => {
    const user = await registerUser(api, 'strict');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refused = await api.put('/api/user', {
      token: user.token,
      body: { user: { password: 'a-new-password-1' } },
    });
    expectErrorEnvelope(refused, 403, 'REAUTHENTICATION_REQUIRED');
    const accepted = await api.put('/api/user', {
      token: user.token,
      body: { user: { password: 'a-new-password-1', currentPassword: user.password } },
    });
    expect(accepted.status).toBe(200);
  });
});
