import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { linkToken, mailEnv, TestSmtpServer } from '../support/mail.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

const ADMIN = { email: 'sec-admin@example.com', password: 'admin-password-1', username: 'secadm' };
const MAIL_ACCOUNT_MAX = 2;
const newClientIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/**
 * The account lifecycle endpoints against the OWASP API Security Top 10 (2023): recovery and
 * verification links as credentials (API2), object- and property-level authorisation of the
 * admin routes (API1, API3, API5), resource consumption of mail-sending routes (API4) and the
 * email change as a takeover path (API6).
 */
describe('account lifecycle security', () => {
  let smtp: TestSmtpServer;
  let testApp: TestApp;
  let api: Api;
  let adminToken: string;
  let victim: RegisteredUser;
  let attacker: RegisteredUser;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    testApp = await startTestApp(
      mailEnv(smtp.url, {
        TRUST_PROXY: 'true',
        RATE_LIMIT_MAIL_ACCOUNT_MAX: String(MAIL_ACCOUNT_MAX),
        RECENT_AUTH_MAX_AGE_SECONDS: '0',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        ADMIN_USERNAME: ADMIN.username,
      }),
    );
    api = new Api(testApp.baseUrl);
    adminToken = (await loginTokens(api, ADMIN.email, ADMIN.password)).token;
    victim = await registerUser(api, 'victim');
    attacker = await registerUser(api, 'attacker');
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.close();
  });

  const forgotFrom = (ip: string, email: string) =>
    api.post('/api/auth/password/forgot', {
      body: { email },
      headers: { 'x-forwarded-for': ip },
    });

  describe('API2: links are credentials', () => {
    it('refuses guessed, truncated and cross-purpose tokens', async () => {
      const verification = linkToken(await smtp.waitFor(victim.email), '/verify-email');
      const reset = (token: string) =>
        api.post('/api/auth/password/reset', { body: { token, password: 'taken-over-123' } });
      expectErrorEnvelope(await reset('A'.repeat(43)), 422, 'VALIDATION_FAILED');
      expectErrorEnvelope(await reset(verification.slice(0, -1)), 422, 'VALIDATION_FAILED');
      // A verification link is no password reset link.
      expectErrorEnvelope(await reset(verification), 422, 'VALIDATION_FAILED');
      expect(
        (
          await api.post('/api/users/login', {
            body: { user: { email: victim.email, password: 'taken-over-123' } },
          })
        ).status,
      ).toBe(401);
    });

    it('never puts a link token in an API response or the audit trail', async () => {
      await forgotFrom(newClientIp(), attacker.email);
      const mail = await smtp.waitFor(attacker.email, 2);
      const token = linkToken(mail, '/reset-password');
      const trail = await api.get('/api/admin/audit-events?limit=100', { token: adminToken });
      expect(JSON.stringify(trail.body)).not.toContain(token);
      const rows = await testApp.dataSource.query('SELECT * FROM account_tokens');
      expect(JSON.stringify(rows)).not.toContain(token);
    });
  });

  describe('API4: mail-sending routes are budgeted per account, whatever the address', () => {
    it.each([
      ['a registered', () => victim.email],
      ['an unregistered', () => 'ghost-budget@example.com'],
    ])(
      'limits password reset requests for %s address alike (no existence oracle)',
      async (_label, email) => {
        const statuses: number[] = [];
        for (let attempt = 0; attempt <= MAIL_ACCOUNT_MAX; attempt += 1)
          statuses.push((await forgotFrom(newClientIp(), email())).status);
        expect(statuses).toEqual([...Array(MAIL_ACCOUNT_MAX).fill(202), 429]);
      },
    );
  });

  describe('API1/API3/API5: admin routes', () => {
    const patch = (id: number, user: Record<string, unknown>, token: string) =>
      api.request('PATCH', `/api/users/${id}`, { token, body: { user } });

    it('refuse a regular user, on their own account too', async () => {
      expectErrorEnvelope(
        await patch(attacker.id, { role: 'admin' }, attacker.token),
        403,
        'FORBIDDEN',
      );
      expectErrorEnvelope(
        await patch(victim.id, { disabled: true }, attacker.token),
        403,
        'FORBIDDEN',
      );
      expectErrorEnvelope(
        await api.get(`/api/users/${victim.id}`, { token: attacker.token }),
        403,
        'FORBIDDEN',
      );
      expectErrorEnvelope(
        await api.get('/api/admin/audit-events', { token: attacker.token }),
        403,
        'FORBIDDEN',
      );
      const me = await api.get(`/api/users/${attacker.id}`, { token: adminToken });
      expect(me.body.user.role).toBe('user');
    });

    it('accept only role and disabled, never credentials or verification state', async () => {
      for (const field of [
        { email: 'x@example.com' },
        { password: 'new-password-1' },
        { emailVerified: true },
        { passwordHash: 'x' },
      ]) {
        const response = await patch(victim.id, field, adminToken);
        expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      }
      const shown = await api.get(`/api/users/${victim.id}`, { token: adminToken });
      expect(JSON.stringify(shown.body)).not.toMatch(/password|hash|\$argon2/i);
    });

    it('keep users from marking themselves verified or enabled through PUT /api/user', async () => {
      for (const field of [{ disabled: false }, { role: 'admin' }]) {
        const response = await api.put('/api/user', {
          token: attacker.token,
          body: { user: field },
        });
        expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      }
      // emailVerified is part of the user the API returns, so an echo of it is accepted and
      // ignored (tolerant reader, docs/request-bodies.md): it changes nothing.
      const echoed = await api.put('/api/user', {
        token: attacker.token,
        body: { user: { emailVerified: true } },
      });
      expect(echoed.status).toBe(200);
      expect(echoed.body.user.emailVerified).toBe(false);
      const current = await api.get('/api/user', { token: attacker.token });
      expect(current.body.user.emailVerified).toBe(false);
    });
  });

  describe('API6: the email change as a takeover path', () => {
    it('needs the current password even from a valid session, and the new address must confirm', async () => {
      const stolenToken = victim.token;
      const takeover = await api.put('/api/user', {
        token: stolenToken,
        body: { user: { email: 'attacker-inbox@example.com' } },
      });
      expectErrorEnvelope(takeover, 403, 'REAUTHENTICATION_REQUIRED');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(smtp.to('attacker-inbox@example.com')).toEqual([]);
      const current = await api.get('/api/user', { token: victim.token });
      expect(current.body.user.email).toBe(victim.email);
    });
  });
});
