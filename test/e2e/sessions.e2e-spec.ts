import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RefreshToken } from '../../src/modules/auth/entities/refresh-token.entity.js';
import { Session } from '../../src/modules/auth/entities/session.entity.js';
import { hashRefreshToken } from '../../src/modules/auth/refresh-token.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { decodeClaims } from '../support/tokens.js';
import { loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

describe('refresh tokens and sessions', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  const refresh = (refreshToken: string, headers?: Record<string, string>) =>
    api.post('/api/auth/refresh', { body: { refreshToken }, headers });
  /** A replay from another device: outside the grace a same-client repeat gets (see below). */
  const THIEF = { 'user-agent': 'thief-device/1.0' };
  const currentUserStatus = async (token: string) => (await api.get('/api/user', { token })).status;

  describe('POST /api/auth/refresh', () => {
    let user: RegisteredUser;
    beforeAll(async () => {
      user = await registerUser(api, 'rotator');
    });

    it('exchanges a refresh token for a new access token and a new refresh token', async () => {
      const { token, refreshToken } = await loginTokens(api, user.email, user.password);
      const response = await refresh(refreshToken);
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({
        email: user.email,
        username: user.username,
        token: expect.any(String),
        refreshToken: expect.any(String),
      });
      expect(response.body.user.refreshToken).not.toBe(refreshToken);
      expect(decodeClaims(response.body.user.token).sid).toBe(decodeClaims(token).sid);
      expect(await currentUserStatus(response.body.user.token)).toBe(200);
    });

    it('keeps rotating: each new refresh token works exactly once', async () => {
      let { refreshToken } = await loginTokens(api, user.email, user.password);
      for (let round = 0; round < 3; round += 1) {
        const response = await refresh(refreshToken);
        expect(response.status).toBe(200);
        refreshToken = response.body.user.refreshToken;
      }
      expect((await refresh(refreshToken)).status).toBe(200);
    });

    it('returns 401 when a used refresh token is presented again', async () => {
      const { refreshToken } = await loginTokens(api, user.email, user.password);
      expect((await refresh(refreshToken)).status).toBe(200);
      const reuse = await refresh(refreshToken, THIEF);
      const errors = expectErrorEnvelope(reuse, 401, 'UNAUTHORIZED');
      expect(errors.body[0]).toMatch(/already been used/);
    });

    it('revokes the whole session when a used refresh token is replayed', async () => {
      const first = await loginTokens(api, user.email, user.password);
      const rotated = (await refresh(first.refreshToken)).body.user;

      expect((await refresh(first.refreshToken, THIEF)).status).toBe(401);

      expectErrorEnvelope(await refresh(rotated.refreshToken), 401, 'UNAUTHORIZED');
      expect(await currentUserStatus(rotated.token)).toBe(401);
      expect(await currentUserStatus(first.token)).toBe(401);
    });

    it("leaves the user's other sessions working after a replay revokes one", async () => {
      const bystander = await loginTokens(api, user.email, user.password);
      const victim = await loginTokens(api, user.email, user.password);
      await refresh(victim.refreshToken);
      expect((await refresh(victim.refreshToken, THIEF)).status).toBe(401);

      expect(await currentUserStatus(bystander.token)).toBe(200);
      expect((await refresh(bystander.refreshToken)).status).toBe(200);
    });

    it('answers concurrent exchanges of one token from one client with one and the same pair', async () => {
      const { refreshToken } = await loginTokens(api, user.email, user.password);
      const responses = await Promise.all(Array.from({ length: 5 }, () => refresh(refreshToken)));
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      const pairs = new Set(
        responses.map(
          (response) => `${response.body.user.token} ${response.body.user.refreshToken}`,
        ),
      );
      expect(pairs.size).toBe(1);
      const next = responses[0].body.user;
      expect(await currentUserStatus(next.token)).toBe(200);
      expect((await refresh(next.refreshToken)).status).toBe(200);
    });

    it('returns 401 to both tokens of an expired session', async () => {
      const expiring = await registerUser(api, 'expiring');
      await testApp.dataSource
        .createQueryBuilder()
        .update(Session)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where('id = :id', { id: decodeClaims(expiring.token).sid })
        .execute();

      expect(await currentUserStatus(expiring.token)).toBe(401);
      const response = await refresh(expiring.refreshToken);
      expect(expectErrorEnvelope(response, 401, 'UNAUTHORIZED')).toEqual({
        body: ['session has ended'],
      });
    });

    it('returns 401 for a refresh token that was never issued', async () => {
      const response = await refresh('x'.repeat(43));
      const errors = expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect(errors.body).toEqual(['refresh token is invalid']);
    });

    it('returns 401 when an access token is sent as the refresh token', async () => {
      expectErrorEnvelope(await refresh(user.token.slice(0, 256)), 401, 'UNAUTHORIZED');
    });

    it('returns 422 keyed by refreshToken when the body lacks it', async () => {
      const response = await api.post('/api/auth/refresh', { body: {} });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toEqual(['refreshToken']);
    });
  });

  describe('refresh grace window (REFRESH_GRACE_SECONDS, 5 s by default)', () => {
    let user: RegisteredUser;
    beforeAll(async () => {
      user = await registerUser(api, 'graceful');
    });

    const sessionState = (token: string) =>
      testApp.dataSource.getRepository(Session).findOneByOrFail({ id: decodeClaims(token).sid });
    const tokensOfSession = (token: string) =>
      testApp.dataSource
        .getRepository(RefreshToken)
        .countBy({ sessionId: decodeClaims(token).sid });
    /** Moves a used token's rotation into the past, as if the window had gone by. */
    const ageRotation = (refreshToken: string, seconds: number) =>
      testApp.dataSource
        .createQueryBuilder()
        .update(RefreshToken)
        .set({ usedAt: new Date(Date.now() - seconds * 1000) })
        .where('token_hash = :hash', { hash: hashRefreshToken(refreshToken) })
        .execute();

    it('answers 20 concurrent refreshes of one token with one pair: one rotation, session kept', async () => {
      const session = await loginTokens(api, user.email, user.password);
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => refresh(session.refreshToken)),
      );
      expect(new Set(responses.map((response) => response.status))).toEqual(new Set([200]));
      const refreshTokens = new Set(responses.map((response) => response.body.user.refreshToken));
      const accessTokens = new Set(responses.map((response) => response.body.user.token));
      expect([refreshTokens.size, accessTokens.size]).toEqual([1, 1]);
      expect(await tokensOfSession(session.token)).toBe(2); // the original and one successor
      expect((await sessionState(session.token)).revokedAt).toBeNull();
      const next = responses[0].body.user;
      expect(await currentUserStatus(next.token)).toBe(200);
      expect((await refresh(next.refreshToken)).status).toBe(200);
    });

    it('still treats a replay after the window as theft: 401 and the session revoked', async () => {
      const session = await loginTokens(api, user.email, user.password);
      const rotated = (await refresh(session.refreshToken)).body.user;
      await ageRotation(session.refreshToken, 6);
      expectErrorEnvelope(await refresh(session.refreshToken), 401, 'UNAUTHORIZED');
      expect((await sessionState(session.token)).revokedReason).toBe('refresh_token_reuse');
      expect(await currentUserStatus(rotated.token)).toBe(401);
    });

    it('treats a replay from another client within the window as theft', async () => {
      const session = await loginTokens(api, user.email, user.password);
      const rotated = (await refresh(session.refreshToken)).body.user;
      expectErrorEnvelope(await refresh(session.refreshToken, THIEF), 401, 'UNAUTHORIZED');
      expect(await currentUserStatus(rotated.token)).toBe(401);
    });

    it('treats a replay within the window as theft once the new pair has been used', async () => {
      const session = await loginTokens(api, user.email, user.password);
      const rotated = (await refresh(session.refreshToken)).body.user;
      const third = (await refresh(rotated.refreshToken)).body.user;
      expectErrorEnvelope(await refresh(session.refreshToken), 401, 'UNAUTHORIZED');
      expect(await currentUserStatus(third.token)).toBe(401);
    });

    it('hands the pair only to the holder of the old token: the database keeps it encrypted', async () => {
      const session = await loginTokens(api, user.email, user.password);
      const rotated = (await refresh(session.refreshToken)).body.user;
      const row = await testApp.dataSource
        .getRepository(RefreshToken)
        .findOneByOrFail({ tokenHash: hashRefreshToken(session.refreshToken) });
      expect(row.successorSealed).toEqual(expect.any(String));
      expect(row.successorSealed).not.toContain(rotated.refreshToken);
      expect(row.successorSealed).not.toContain(rotated.token.split('.')[1]);
    });

    it('carries the login time unchanged through refreshes (auth_time)', async () => {
      const session = await loginTokens(api, user.email, user.password);
      const rotated = (await refresh(session.refreshToken)).body.user;
      const authTime = decodeClaims(session.token).auth_time;
      expect(authTime).toEqual(expect.any(Number));
      expect(decodeClaims(rotated.token).auth_time).toBe(authTime);
    });
  });

  describe('POST /api/auth/logout', () => {
    it('returns 204 and ends the session: its access and refresh tokens stop working', async () => {
      const user = await registerUser(api, 'leaver');
      const other = await loginTokens(api, user.email, user.password);

      const response = await api.post('/api/auth/logout', { token: user.token });
      expect(response.status).toBe(204);
      expect(response.body).toBeNull();

      expect(await currentUserStatus(user.token)).toBe(401);
      expectErrorEnvelope(await refresh(user.refreshToken), 401, 'UNAUTHORIZED');
      expect(await currentUserStatus(other.token)).toBe(200);
    });

    it('returns 401 without a token', async () => {
      expectErrorEnvelope(await api.post('/api/auth/logout'), 401, 'UNAUTHORIZED');
    });
  });

  describe('GET /api/auth/sessions', () => {
    it("lists only the caller's active sessions and marks the current one", async () => {
      const user = await registerUser(api, 'lister');
      const laptop = await loginTokens(api, user.email, user.password);
      const ended = await loginTokens(api, user.email, user.password);
      await api.post('/api/auth/logout', { token: ended.token });
      const stranger = await registerUser(api, 'stranger');

      const response = await api.get('/api/auth/sessions', { token: laptop.token });
      expect(response.status).toBe(200);
      const ids = response.body.sessions.map((session: { id: string }) => session.id).sort();
      expect(ids).toEqual([decodeClaims(user.token).sid, decodeClaims(laptop.token).sid].sort());
      expect(ids).not.toContain(decodeClaims(stranger.token).sid);

      const current = response.body.sessions.filter((session: any) => session.current);
      expect(current.map((session: any) => session.id)).toEqual([decodeClaims(laptop.token).sid]);
      for (const session of response.body.sessions) {
        expect(Object.keys(session).sort()).toEqual(
          ['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'userAgent'].sort(),
        );
      }
    });

    it('pages the sessions newest first with a cursor, counting them all', async () => {
      const user = await registerUser(api, 'pager');
      for (let i = 0; i < 3; i++) await loginTokens(api, user.email, user.password);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const path: string = cursor
          ? `/api/auth/sessions?limit=2&cursor=${encodeURIComponent(cursor)}`
          : '/api/auth/sessions?limit=2';
        const page = await api.get(path, { token: user.token });
        expect(page.status).toBe(200);
        expect(page.body.sessionsCount).toBe(4);
        expect(page.body.sessions.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.sessions.map((session: { id: string }) => session.id));
        cursor = page.body.nextCursor;
      } while (cursor);

      expect(seen).toHaveLength(4);
      expect(new Set(seen).size).toBe(4);
      expect(seen.at(-1)).toBe(decodeClaims(user.token).sid);
    });

    it('returns 422 for a limit above the maximum or an unknown sort field', async () => {
      const user = await registerUser(api, 'badpage');
      const tooMany = await api.get('/api/auth/sessions?limit=101', { token: user.token });
      expect(tooMany.status).toBe(422);
      expect(Object.keys(tooMany.body.errors)).toEqual(['limit']);
      const badSort = await api.get('/api/auth/sessions?sort=ip', { token: user.token });
      expect(badSort.status).toBe(422);
      expect(Object.keys(badSort.body.errors)).toEqual(['sort']);
    });

    it('records the client user agent of each session', async () => {
      const user = await registerUser(api, 'agent');
      const response = await api.post('/api/users/login', {
        body: { user: { email: user.email, password: user.password } },
        headers: { 'user-agent': 'ConduitTest/1.0' },
      });
      const sessions = await api.get('/api/auth/sessions', { token: response.body.user.token });
      const current = sessions.body.sessions.find((session: any) => session.current);
      expect(current.userAgent).toBe('ConduitTest/1.0');
    });
  });

  describe('DELETE /api/auth/sessions/:id', () => {
    let owner: RegisteredUser;
    let intruder: RegisteredUser;
    beforeAll(async () => {
      owner = await registerUser(api, 'owner');
      intruder = await registerUser(api, 'intruder');
    });

    it('returns 204 for one of your own sessions and ends it', async () => {
      const phone = await loginTokens(api, owner.email, owner.password);
      const sid = decodeClaims(phone.token).sid;
      const response = await api.delete(`/api/auth/sessions/${sid}`, { token: owner.token });
      expect(response.status).toBe(204);

      expect(await currentUserStatus(phone.token)).toBe(401);
      expect((await refresh(phone.refreshToken)).status).toBe(401);
      const list = await api.get('/api/auth/sessions', { token: owner.token });
      expect(list.body.sessions.map((session: any) => session.id)).not.toContain(sid);
    });

    it("returns 403 for another user's session and leaves it working", async () => {
      const sid = decodeClaims(owner.token).sid;
      const response = await api.delete(`/api/auth/sessions/${sid}`, { token: intruder.token });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect(await currentUserStatus(owner.token)).toBe(200);
    });

    it('returns 404 for a session id that does not exist', async () => {
      const response = await api.delete(`/api/auth/sessions/${randomUUID()}`, {
        token: owner.token,
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });

    it('returns 404 for an id that is not even a UUID', async () => {
      const response = await api.delete('/api/auth/sessions/not-a-uuid', { token: owner.token });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });

    it('returns 401 without a token', async () => {
      const sid = decodeClaims(owner.token).sid;
      expectErrorEnvelope(await api.delete(`/api/auth/sessions/${sid}`), 401, 'UNAUTHORIZED');
    });

    it('can end the current session itself', async () => {
      const own = await loginTokens(api, owner.email, owner.password);
      const sid = decodeClaims(own.token).sid;
      expect((await api.delete(`/api/auth/sessions/${sid}`, { token: own.token })).status).toBe(
        204,
      );
      expect(await currentUserStatus(own.token)).toBe(401);
    });
  });
});

/** Apps over in-memory SQLite in one file must not overlap: closing one disturbs the other. */
describe('refresh tokens with REFRESH_GRACE_SECONDS=0', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp({ REFRESH_GRACE_SECONDS: '0' });
  });
  afterAll(() => strict.close());

  it('revokes the session on any second presentation, even an immediate one', async () => {
    const strictApi = new Api(strict.baseUrl);
    const user = await registerUser(strictApi, 'strict');
    const first = await strictApi.post('/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(first.status).toBe(200);
    const again = await strictApi.post('/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expectErrorEnvelope(again, 401, 'UNAUTHORIZED');
    expect((await strictApi.get('/api/user', { token: first.body.user.token })).status).toBe(401);
  });
});
