import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { decodeClaims } from '../support/tokens.js';
import { login, loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

const ADMIN = { email: 'auditor@example.com', password: 'admin-password-1', username: 'auditor' };

describe('audit trail: GET /api/admin/audit-events', () => {
  let testApp: TestApp;
  let api: Api;
  let adminToken: string;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({
      // A repeated refresh is reuse at once (no grace window for the same client).
      REFRESH_GRACE_SECONDS: '0',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ADMIN_USERNAME: ADMIN.username,
    });
    api = new Api(testApp.baseUrl);
    adminToken = (await loginTokens(api, ADMIN.email, ADMIN.password)).token;
    user = await registerUser(api, 'audited');
  });
  afterAll(() => testApp.close());

  const events = async (query: string) => {
    const response = await api.get(`/api/admin/audit-events?${query}`, { token: adminToken });
    expect(response.status).toBe(200);
    return response.body as {
      auditEvents: Array<Record<string, any>>;
      auditEventsCount: number;
      nextCursor: string | null;
    };
  };

  it('records a failed login with the client address, user agent and request id, and no secret', async () => {
    const response = await api.post('/api/users/login', {
      body: { user: { email: user.email, password: 'wrong-password-123' } },
      headers: { 'user-agent': 'audit-test/1.0', 'x-request-id': 'audit-failed-login-1' },
    });
    expect(response.status).toBe(401);
    const page = await events(`event=login.failed&targetId=${user.id}`);
    expect(page.auditEvents).toHaveLength(1);
    expect(page.auditEvents[0]).toMatchObject({
      event: 'login.failed',
      actorId: null,
      targetId: user.id,
      ip: '127.0.0.1',
      userAgent: 'audit-test/1.0',
      requestId: 'audit-failed-login-1',
      details: { reason: 'wrong_password' },
    });
    expect(JSON.stringify(page)).not.toContain('wrong-password-123');
    expect(JSON.stringify(page)).not.toContain(user.email);
  });

  it('records a failed login for an unknown email without storing the email', async () => {
    await login(api, 'nobody-audited@example.com', 'whatever-123');
    const page = await events('event=login.failed');
    expect(page.auditEvents.some((event) => event.details?.reason === 'unknown_email')).toBe(true);
    expect(JSON.stringify(page)).not.toContain('nobody-audited');
  });

  it('records login, logout, session revocation and password change for the account', async () => {
    const first = await loginTokens(api, user.email, user.password);
    const second = await loginTokens(api, user.email, user.password);
    const secondSession = decodeClaims(second.token).sid;
    expect(
      (await api.delete(`/api/auth/sessions/${secondSession}`, { token: first.token })).status,
    ).toBe(204);
    const changed = await api.put('/api/user', {
      token: first.token,
      body: { user: { password: 'new-password-456' } },
    });
    expect(changed.status).toBe(200);
    expect((await api.post('/api/auth/logout', { token: first.token })).status).toBe(204);

    const page = await events(`targetId=${user.id}&limit=100`);
    const kinds = page.auditEvents.map((event) => event.event);
    // Newest first.
    expect(kinds.slice(0, 5)).toEqual([
      'logout',
      'password.changed',
      'session.revoked',
      'login.succeeded',
      'login.succeeded',
    ]);
    const revoked = page.auditEvents.find((event) => event.event === 'session.revoked');
    expect(revoked).toMatchObject({ actorId: user.id, details: { sessionId: secondSession } });
    expect(JSON.stringify(page)).not.toContain('new-password-456');
    expect(JSON.stringify(page)).not.toContain(first.refreshToken);
    user.password = 'new-password-456';
  });

  it('records refresh-token reuse with no actor', async () => {
    const { refreshToken, token } = await loginTokens(api, user.email, user.password);
    const refresh = () => api.post('/api/auth/refresh', { body: { refreshToken } });
    expect((await refresh()).status).toBe(200);
    expect((await refresh()).status).toBe(401);
    const page = await events(`event=refresh_token.reused&targetId=${user.id}`);
    expect(page.auditEvents).toHaveLength(1);
    expect(page.auditEvents[0]).toMatchObject({
      actorId: null,
      details: { sessionId: decodeClaims(token).sid },
    });
  });

  it('filters by actor and time range and pages with a cursor', async () => {
    const before = await events(`actorId=${user.id}&limit=100`);
    expect(before.auditEvents.every((event) => event.actorId === user.id)).toBe(true);
    const all = before.auditEventsCount;
    expect(all).toBeGreaterThanOrEqual(4);

    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await events(
        `actorId=${user.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...page.auditEvents.map((event) => event.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(before.auditEvents.map((event) => event.id));

    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await events(`actorId=${user.id}&from=${future}`)).auditEvents).toEqual([]);
    expect((await events(`actorId=${user.id}&to=${future}`)).auditEventsCount).toBe(all);
  });

  it('answers 403 to a non-admin and 401 without a token', async () => {
    const other = await registerUser(api, 'curious');
    expectErrorEnvelope(
      await api.get('/api/admin/audit-events', { token: other.token }),
      403,
      'FORBIDDEN',
    );
    expectErrorEnvelope(await api.get('/api/admin/audit-events'), 401, 'UNAUTHORIZED');
  });

  it.each([
    ['event=nonsense', 'event'],
    ['actorId=abc', 'actorId'],
    ['targetId=0', 'targetId'],
    ['from=yesterday', 'from'],
    ['to=2026-13-01', 'to'],
  ])('rejects the filter %s with 422', async (query, field) => {
    const response = await api.get(`/api/admin/audit-events?${query}`, { token: adminToken });
    expect(Object.keys(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED'))).toEqual([field]);
  });

  it('refuses UPDATE and DELETE on the table (append-only)', async () => {
    await expect(testApp.dataSource.query('DELETE FROM audit_events')).rejects.toThrow(
      /append-only/,
    );
    await expect(
      testApp.dataSource.query("UPDATE audit_events SET event = 'logout'"),
    ).rejects.toThrow(/append-only/);
  });
});
