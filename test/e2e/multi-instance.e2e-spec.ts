import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/http.js';
import { startTestCluster, type TestCluster } from '../support/test-app.js';
import { decodeClaims } from '../support/tokens.js';
import { loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

/**
 * Several instances behind one database (and one Redis), as a scaled-out deployment runs.
 * Sessions live in the database and are checked on every request, so a session ended on one
 * instance is refused by every other one immediately: no instance keeps a copy to go stale.
 */
describe('sessions across instances', () => {
  let cluster: TestCluster;
  let a: Api;
  let b: Api;
  let c: Api;
  let user: RegisteredUser;

  beforeAll(async () => {
    cluster = await startTestCluster(3);
    [a, b, c] = cluster.apps.map((testApp) => new Api(testApp.baseUrl));
    user = await registerUser(a, 'roaming');
  });
  afterAll(() => cluster.close());

  const currentUserStatus = async (api: Api, token: string) =>
    (await api.get('/api/user', { token })).status;
  const refreshStatus = async (api: Api, refreshToken: string, headers?: Record<string, string>) =>
    (await api.post('/api/auth/refresh', { body: { refreshToken }, headers })).status;

  it('accepts tokens issued by one instance on every other', async () => {
    const session = await loginTokens(a, user.email, user.password);
    expect(await currentUserStatus(b, session.token)).toBe(200);
    expect(await currentUserStatus(c, session.token)).toBe(200);
    const refreshed = await b.post('/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(await currentUserStatus(c, refreshed.body.user.token)).toBe(200);
  });

  it('refuses the access and refresh tokens of a session logged out on another instance at once', async () => {
    const session = await loginTokens(a, user.email, user.password);
    expect(await currentUserStatus(b, session.token)).toBe(200);

    expect((await a.post('/api/auth/logout', { token: session.token })).status).toBe(204);

    expect(await currentUserStatus(b, session.token)).toBe(401);
    expect(await currentUserStatus(c, session.token)).toBe(401);
    expect(await refreshStatus(b, session.refreshToken)).toBe(401);
    expect(await refreshStatus(c, session.refreshToken)).toBe(401);
  });

  it('refuses a session revoked from another instance (DELETE /api/auth/sessions/:id) at once', async () => {
    const keeper = await loginTokens(a, user.email, user.password);
    const revoked = await loginTokens(b, user.email, user.password);
    expect(await currentUserStatus(b, revoked.token)).toBe(200);

    const { sid } = decodeClaims(revoked.token);
    expect((await a.delete(`/api/auth/sessions/${sid}`, { token: keeper.token })).status).toBe(204);

    expect(await currentUserStatus(b, revoked.token)).toBe(401);
    expect(await refreshStatus(c, revoked.refreshToken)).toBe(401);
    expect(await currentUserStatus(b, keeper.token)).toBe(200);
  });

  it('revokes the whole refresh family on every instance when a used token is replayed on another', async () => {
    const first = await loginTokens(a, user.email, user.password);
    const rotated = (
      await a.post('/api/auth/refresh', { body: { refreshToken: first.refreshToken } })
    ).body.user;
    expect(await currentUserStatus(c, rotated.token)).toBe(200);

    // Replay from another device (a same-client repeat within seconds gets the same pair).
    expect(await refreshStatus(b, first.refreshToken, { 'user-agent': 'thief-device/1.0' })).toBe(
      401,
    );

    expect(await currentUserStatus(a, rotated.token)).toBe(401);
    expect(await currentUserStatus(c, rotated.token)).toBe(401);
    expect(await refreshStatus(c, rotated.refreshToken)).toBe(401);
  });

  it('ends the other sessions on every instance when the password is changed on one', async () => {
    const other = await registerUser(b, 'changer');
    const elsewhere = await loginTokens(c, other.email, other.password);
    expect(await currentUserStatus(c, elsewhere.token)).toBe(200);

    const change = await a.put('/api/user', {
      token: other.token,
      body: { user: { password: 'a-brand-new-password' } },
    });
    expect(change.status).toBe(200);

    expect(await currentUserStatus(c, elsewhere.token)).toBe(401);
    expect(await refreshStatus(b, elsewhere.refreshToken)).toBe(401);
    expect(await currentUserStatus(b, other.token)).toBe(200);
  });
});
