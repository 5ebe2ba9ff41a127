import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, createComment, favorite, follow } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { linkToken, mailEnv, TestSmtpServer } from '../support/mail.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

const ADMIN = { email: 'root@example.com', password: 'admin-password-1', username: 'root' };

describe('account lifecycle (mail through a real SMTP server)', () => {
  let smtp: TestSmtpServer;
  let testApp: TestApp;
  let api: Api;
  let adminToken: string;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    testApp = await startTestApp(
      mailEnv(smtp.url, {
        // Every sensitive change needs the current password here (a fresh login would do
        // otherwise: see the REQUIRE_VERIFIED_EMAIL suite below and test/e2e/recent-auth).
        RECENT_AUTH_MAX_AGE_SECONDS: '0',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        ADMIN_USERNAME: ADMIN.username,
      }),
    );
    api = new Api(testApp.baseUrl);
    adminToken = (await loginTokens(api, ADMIN.email, ADMIN.password)).token;
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.close();
  });

  const verify = (token: string) => api.post('/api/auth/email/verify', { body: { token } });
  const current = async (token: string) => (await api.get('/api/user', { token })).body.user;
  const auditEvents = async (query: string) =>
    (await api.get(`/api/admin/audit-events?limit=100&${query}`, { token: adminToken })).body
      .auditEvents as Array<Record<string, any>>;
  /** Makes the user's latest links look older (cooldowns) or expired. */
  const ageTokens = (userId: number, column: 'created_at' | 'expires_at') =>
    testApp.dataSource
      .createQueryBuilder()
      .update('account_tokens')
      .set({
        [column === 'created_at' ? 'createdAt' : 'expiresAt']: new Date(Date.now() - 3_600_000),
      })
      .where('user_id = :userId', { userId })
      .execute();

  describe('email verification', () => {
    it('mails a single-use link on registration; verifying flips emailVerified', async () => {
      const user = await registerUser(api, 'verifier');
      expect((await current(user.token)).emailVerified).toBe(false);
      const mail = await smtp.waitFor(user.email);
      expect(mail.subject).toBe('Confirm your email address');
      expect(mail.headers.from).toBe('Conduit Test <no-reply@conduit.test>');
      const token = linkToken(mail, '/verify-email');
      expect(mail.html).toContain(`href="https://app.conduit.test/verify-email?token=${token}"`);

      expect((await verify(token)).status).toBe(204);
      expect((await current(user.token)).emailVerified).toBe(true);
      expectErrorEnvelope(await verify(token), 422, 'VALIDATION_FAILED');
      expect((await auditEvents(`targetId=${user.id}&event=email.verified`)).length).toBe(1);
    });

    it('stores only a hash of the token', async () => {
      const user = await registerUser(api, 'hashed');
      const token = linkToken(await smtp.waitFor(user.email), '/verify-email');
      const rows: Array<Record<string, unknown>> = await testApp.dataSource.query(
        'SELECT * FROM account_tokens WHERE user_id = ' + user.id,
      );
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('refuses an expired link', async () => {
      const user = await registerUser(api, 'late');
      const token = linkToken(await smtp.waitFor(user.email), '/verify-email');
      await ageTokens(user.id, 'expires_at');
      const errors = expectErrorEnvelope(await verify(token), 422, 'VALIDATION_FAILED');
      expect(errors.token[0]).toMatch(/invalid|expired/);
    });

    it('resends a new link (the old one stops working), at most once a minute, never when verified', async () => {
      const user = await registerUser(api, 'resender');
      const first = linkToken(await smtp.waitFor(user.email), '/verify-email');
      const resend = () => api.post('/api/auth/email/resend', { token: user.token });
      const tooSoon = await resend();
      expectErrorEnvelope(tooSoon, 429, 'RATE_LIMITED');
      expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);

      await ageTokens(user.id, 'created_at');
      const again = await resend();
      expect(again.status).toBe(202);
      expect(again.body).toEqual({ message: 'A new verification link has been sent.' });
      const second = linkToken(await smtp.waitFor(user.email, 2), '/verify-email');
      expect(second).not.toBe(first);
      expectErrorEnvelope(await verify(first), 422, 'VALIDATION_FAILED');
      expect((await verify(second)).status).toBe(204);
      await ageTokens(user.id, 'created_at');
      expectErrorEnvelope(await resend(), 409, 'CONFLICT');
    });

    it.each([
      [{}, 'token'],
      [{ token: 42 }, 'token'],
      [{ token: 'short' }, 'token'],
      [{ token: 'x'.repeat(300) }, 'token'],
    ])('rejects the body %p with 422', async (body, field) => {
      const response = await api.post('/api/auth/email/verify', { body });
      expect(Object.keys(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED'))).toEqual([field]);
    });
  });

  describe('password reset', () => {
    const forgot = (email: string) => api.post('/api/auth/password/forgot', { body: { email } });
    const reset = (token: string, password: string) =>
      api.post('/api/auth/password/reset', { body: { token, password } });

    it('answers 202 with the same body whether or not the account exists, and mails only a real account', async () => {
      const user = await registerUser(api, 'forgetful');
      const known = await forgot(user.email.toUpperCase());
      const unknown = await forgot('nobody-here@example.com');
      expect(known.status).toBe(202);
      expect(unknown.status).toBe(202);
      expect(unknown.body).toEqual(known.body);
      const mail = await smtp.waitFor(user.email, 2);
      expect(mail.subject).toBe('Reset your password');
      expect(linkToken(mail, '/reset-password')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(mail.text).toContain('30 minutes');
      // Wait for anything the dispatcher might still be sending.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(smtp.to('nobody-here@example.com')).toEqual([]);
    });

    it('takes about as long for an unknown address as for a known one', async () => {
      const user = await registerUser(api, 'timed');
      const median = async (email: string) => {
        const times: number[] = [];
        for (let round = 0; round < 15; round += 1) {
          const started = performance.now();
          expect((await forgot(email)).status).toBe(202);
          times.push(performance.now() - started);
        }
        return times.sort((a, b) => a - b)[7];
      };
      const known = await median(user.email);
      const unknown = await median('nobody-timed@example.com');
      // Both paths hash nothing and run one short transaction: a few ms apart at most.
      expect(Math.abs(known - unknown)).toBeLessThan(Math.max(25, known));
    });

    it('sets the new password, ends every session, and works once', async () => {
      const user = await registerUser(api, 'resetter');
      const other = await loginTokens(api, user.email, user.password);
      await forgot(user.email);
      const token = linkToken(await smtp.waitFor(user.email, 2), '/reset-password');

      expect((await reset(token, 'a-brand-new-password')).status).toBe(204);
      expect((await api.get('/api/user', { token: user.token })).status).toBe(401);
      expect((await api.get('/api/user', { token: other.token })).status).toBe(401);
      const refresh = await api.post('/api/auth/refresh', {
        body: { refreshToken: other.refreshToken },
      });
      expect(refresh.status).toBe(401);
      expect((await login(api, user.email, user.password)).status).toBe(401);
      const fresh = await login(api, user.email, 'a-brand-new-password');
      expect(fresh.status).toBe(200);
      // The link reached the address: it counts as verified.
      expect(fresh.body.user.emailVerified).toBe(true);
      expectErrorEnvelope(await reset(token, 'yet-another-password'), 422, 'VALIDATION_FAILED');

      const notice = await smtp.waitFor(user.email, 3);
      expect(notice.subject).toBe('Your password was changed');
      const [event] = await auditEvents(`targetId=${user.id}&event=password.reset`);
      expect(event).toMatchObject({ actorId: null, details: { sessionsRevoked: 2 } });
    });

    it('lets exactly one of several concurrent uses of a link succeed', async () => {
      const user = await registerUser(api, 'racer');
      await forgot(user.email);
      const token = linkToken(await smtp.waitFor(user.email, 2), '/reset-password');
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, index) => reset(token, `concurrent-password-${index}`)),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([204, 422, 422, 422, 422, 422]);
      const winner = responses.findIndex((response) => response.status === 204);
      expect((await login(api, user.email, `concurrent-password-${winner}`)).status).toBe(200);
    });

    it('accepts only the newest link, and refuses an expired one', async () => {
      const user = await registerUser(api, 'twice');
      await forgot(user.email);
      const older = linkToken(await smtp.waitFor(user.email, 2), '/reset-password');
      await forgot(user.email);
      const newer = linkToken(await smtp.waitFor(user.email, 3), '/reset-password');
      expectErrorEnvelope(await reset(older, 'password-older-1'), 422, 'VALIDATION_FAILED');
      await ageTokens(user.id, 'expires_at');
      expectErrorEnvelope(await reset(newer, 'password-newer-1'), 422, 'VALIDATION_FAILED');
    });

    it.each([
      ['/api/auth/password/forgot', { email: 'not-an-email' }, 'email'],
      ['/api/auth/password/forgot', { email: 'a@b.co', extra: 1 }, 'extra'],
      ['/api/auth/password/reset', { token: 'x'.repeat(43), password: 'short' }, 'password'],
      ['/api/auth/password/reset', { password: 'long-enough-1' }, 'token'],
    ])('POST %s rejects %p with 422', async (path, body, field) => {
      const errors = expectErrorEnvelope(await api.post(path, { body }), 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toContain(field);
    });
  });

  describe('email change', () => {
    const change = (user: RegisteredUser, body: Record<string, unknown>) =>
      api.put('/api/user', { token: user.token, body: { user: body } });

    it('needs the current password', async () => {
      const user = await registerUser(api, 'mover');
      const newEmail = `moved-${user.email}`;
      expectErrorEnvelope(
        await change(user, { email: newEmail }),
        403,
        'REAUTHENTICATION_REQUIRED',
      );
      expectErrorEnvelope(
        await change(user, { email: newEmail, currentPassword: 'wrong-password' }),
        403,
        'REAUTHENTICATION_REQUIRED',
      );
      expect(smtp.to(newEmail)).toEqual([]);
      // Resending the current address is no change (RealWorld clients do it).
      expect((await change(user, { email: user.email.toUpperCase(), bio: 'x' })).status).toBe(200);
    });

    it('changes the address only when the new one confirms, telling the old one', async () => {
      const user = await registerUser(api, 'switcher');
      const newEmail = `new-${user.email}`;
      const response = await change(user, { email: newEmail, currentPassword: user.password });
      expect(response.status).toBe(200);
      expect(response.body.user.email).toBe(user.email);

      const confirm = await smtp.waitFor(newEmail);
      expect(confirm.subject).toBe('Confirm your new email address');
      const notice = await smtp.waitFor(user.email, 2);
      expect(notice.subject).toBe('A change of your email address was requested');
      expect(notice.text).toContain(newEmail);
      // Until then, nothing changed: the owner still signs in with the old address.
      expect((await login(api, user.email, user.password)).status).toBe(200);
      expect((await login(api, newEmail, user.password)).status).toBe(401);

      expect((await verify(linkToken(confirm, '/verify-email'))).status).toBe(204);
      expect(await current(user.token)).toMatchObject({ email: newEmail, emailVerified: true });
      expect((await login(api, newEmail, user.password)).status).toBe(200);
      expect((await login(api, user.email, user.password)).status).toBe(401);
      const changed = await smtp.waitFor(user.email, 3);
      expect(changed.subject).toBe('Your email address was changed');
      const events = (await auditEvents(`targetId=${user.id}`)).map((event) => event.event);
      expect(events).toEqual(expect.arrayContaining(['email.change_requested', 'email.changed']));
    });

    it('gives the new address no power over the account: a newer request or a taken address wins', async () => {
      const user = await registerUser(api, 'owner');
      const squatter = `squat-${user.email}`;
      await change(user, { email: squatter, currentPassword: user.password });
      const squatterLink = linkToken(await smtp.waitFor(squatter), '/verify-email');
      // The owner changes their mind: the first link no longer works.
      const chosen = `chosen-${user.email}`;
      await change(user, { email: chosen, currentPassword: user.password });
      expectErrorEnvelope(await verify(squatterLink), 422, 'VALIDATION_FAILED');
      // Someone registers the chosen address meanwhile: confirming it is refused, nothing moves.
      const chosenLink = linkToken(await smtp.waitFor(chosen), '/verify-email');
      await api.post('/api/users', {
        body: { user: { email: chosen, username: `taken_${user.id}`, password: 'password123' } },
      });
      expectErrorEnvelope(await verify(chosenLink), 409, 'CONFLICT');
      expect((await current(user.token)).email).toBe(user.email);
      // And the owner can always recover through the current address.
      expect(
        (await api.post('/api/auth/password/forgot', { body: { email: user.email } })).status,
      ).toBe(202);
    });

    it('refuses an address another account already uses', async () => {
      const user = await registerUser(api, 'collider');
      const other = await registerUser(api, 'collided');
      expectErrorEnvelope(
        await change(user, { email: other.email, currentPassword: user.password }),
        409,
        'CONFLICT',
      );
    });
  });

  describe('DELETE /api/user', () => {
    it('needs the current password', async () => {
      const user = await registerUser(api, 'keeper');
      expectErrorEnvelope(
        await api.delete('/api/user', {
          token: user.token,
          body: { currentPassword: 'nope-nope' },
        }),
        403,
        'REAUTHENTICATION_REQUIRED',
      );
      expectErrorEnvelope(
        await api.delete('/api/user', { token: user.token, body: {} }),
        403,
        'REAUTHENTICATION_REQUIRED',
      );
      expect((await api.get('/api/user', { token: user.token })).status).toBe(200);
    });

    it('removes the account and its data, ends its sessions and keeps an audit record without personal data', async () => {
      const leaver = await registerUser(api, 'leaver');
      const stayer = await registerUser(api, 'stayer');
      const own = await createArticle(api, leaver, { tagList: ['leaver-only-tag'] });
      const theirs = await createArticle(api, stayer);
      await createComment(api, leaver, theirs.slug);
      await createComment(api, stayer, own.slug);
      await favorite(api, leaver, theirs.slug);
      await favorite(api, stayer, own.slug);
      await follow(api, leaver, stayer.username);
      await follow(api, stayer, leaver.username);
      const second = await loginTokens(api, leaver.email, leaver.password);
      // Warm the cache with the article's view, which embeds the favorite count.
      expect((await api.get(`/api/articles/${theirs.slug}`)).body.article.favoritesCount).toBe(1);

      const response = await api.delete('/api/user', {
        token: leaver.token,
        body: { currentPassword: leaver.password },
      });
      expect(response.status).toBe(204);

      expect((await api.get('/api/user', { token: leaver.token })).status).toBe(401);
      expect((await api.get('/api/user', { token: second.token })).status).toBe(401);
      expect((await login(api, leaver.email, leaver.password)).status).toBe(401);
      expect((await api.get(`/api/profiles/${leaver.username}`)).status).toBe(404);
      expect((await api.get(`/api/articles/${own.slug}`)).status).toBe(404);
      const article = (await api.get(`/api/articles/${theirs.slug}`)).body.article;
      expect(article.favoritesCount).toBe(0);
      const comments = (await api.get(`/api/articles/${theirs.slug}/comments`)).body.comments;
      expect(comments).toEqual([]);
      expect((await api.get('/api/tags')).body.tags).not.toContain('leaver-only-tag');

      const count = async (sql: string) => Number((await testApp.dataSource.query(sql))[0].count);
      const id = leaver.id;
      expect(await count(`SELECT COUNT(*) AS count FROM articles WHERE author_id = ${id}`)).toBe(0);
      expect(await count(`SELECT COUNT(*) AS count FROM comments WHERE author_id = ${id}`)).toBe(0);
      expect(await count(`SELECT COUNT(*) AS count FROM favorites WHERE user_id = ${id}`)).toBe(0);
      expect(
        await count(
          `SELECT COUNT(*) AS count FROM follows WHERE follower_id = ${id} OR followee_id = ${id}`,
        ),
      ).toBe(0);
      expect(await count(`SELECT COUNT(*) AS count FROM sessions WHERE user_id = ${id}`)).toBe(0);
      expect(
        await count(
          `SELECT COUNT(*) AS count FROM mail_outbox WHERE recipient = '${leaver.email}'`,
        ),
      ).toBe(0);

      // The exact list counters (article_counts) follow the cascade: each equals a fresh COUNT(*).
      const fresh: Record<string, (key: number) => string> = {
        all: () => 'SELECT COUNT(*) AS count FROM articles',
        author: (key) => `SELECT COUNT(*) AS count FROM articles WHERE author_id = ${key}`,
        tag: (key) => `SELECT COUNT(*) AS count FROM article_tags WHERE tag_id = ${key}`,
        favorited: (key) => `SELECT COUNT(*) AS count FROM favorites WHERE user_id = ${key}`,
        favoriters: (key) => `SELECT COUNT(*) AS count FROM favorites WHERE article_id = ${key}`,
      };
      const counters: Array<{ scope: string; key_id: number; total: number }> =
        await testApp.dataSource.query('SELECT scope, key_id, total FROM article_counts');
      expect(counters.length).toBeGreaterThan(0);
      for (const row of counters)
        expect({ ...row, total: Number(row.total) }).toEqual({
          ...row,
          total: await count(fresh[row.scope](Number(row.key_id))),
        });
      expect(
        counters
          .filter(
            (row) => (row.scope === 'author' || row.scope === 'favorited') && row.key_id === id,
          )
          .every((row) => Number(row.total) === 0),
      ).toBe(true);

      const [deleted] = await auditEvents(`targetId=${id}&event=account.deleted`);
      expect(deleted).toMatchObject({ actorId: id, targetId: id, details: null, ip: null });
      const trail = JSON.stringify(await auditEvents(`targetId=${id}`));
      expect(trail).not.toContain(leaver.email);
      expect(trail).not.toContain(leaver.username);
    });
  });

  describe('admin: GET and PATCH /api/users/:id', () => {
    const patch = (id: number, user: Record<string, unknown>, token = adminToken) =>
      api.request('PATCH', `/api/users/${id}`, { token, body: { user } });

    it('shows one user to an admin, 404 for an unknown id, 422 for a malformed one, 403 to others', async () => {
      const user = await registerUser(api, 'shown');
      const response = await api.get(`/api/users/${user.id}`, { token: adminToken });
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({
        id: user.id,
        email: user.email,
        role: 'user',
        emailVerified: false,
        disabled: false,
      });
      expectErrorEnvelope(
        await api.get('/api/users/99999', { token: adminToken }),
        404,
        'NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.get('/api/users/abc', { token: adminToken }),
        422,
        'VALIDATION_FAILED',
      );
      expectErrorEnvelope(
        await api.get(`/api/users/${user.id}`, { token: user.token }),
        403,
        'FORBIDDEN',
      );
      expectErrorEnvelope(await patch(user.id, { role: 'admin' }, user.token), 403, 'FORBIDDEN');
    });

    it('disables an account: its sessions end at once and login answers 403 ACCOUNT_DISABLED; enabling restores login', async () => {
      const user = await registerUser(api, 'disabled');
      const response = await patch(user.id, { disabled: true });
      expect(response.status).toBe(200);
      expect(response.body.user.disabled).toBe(true);
      expect((await api.get('/api/user', { token: user.token })).status).toBe(401);
      const refresh = await api.post('/api/auth/refresh', {
        body: { refreshToken: user.refreshToken },
      });
      expect(refresh.status).toBe(401);
      const errors = expectErrorEnvelope(
        await login(api, user.email, user.password),
        403,
        'ACCOUNT_DISABLED',
      );
      expect(errors.body).toEqual(['this account has been disabled']);
      // Without the right password nothing tells that the account is disabled.
      expectErrorEnvelope(await login(api, user.email, 'wrong-password'), 401, 'UNAUTHORIZED');

      expect((await patch(user.id, { disabled: false })).body.user.disabled).toBe(false);
      expect((await login(api, user.email, user.password)).status).toBe(200);
      const events = (await auditEvents(`targetId=${user.id}`)).map((event) => event.event);
      expect(events).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
    });

    it('changes the role (audited), and refuses to demote or disable the last active admin', async () => {
      const me = (await api.get('/api/users?role=admin', { token: adminToken })).body.users;
      expect(me).toHaveLength(1);
      const rootId = me[0].id as number;
      expect(me[0].username).toBe(ADMIN.username);
      expectErrorEnvelope(await patch(rootId, { role: 'user' }), 409, 'CONFLICT');
      expectErrorEnvelope(await patch(rootId, { disabled: true }), 409, 'CONFLICT');
      expectErrorEnvelope(
        await api.delete('/api/user', {
          token: adminToken,
          body: { currentPassword: ADMIN.password },
        }),
        409,
        'CONFLICT',
      );

      const deputy = await registerUser(api, 'deputy');
      const promoted = await patch(deputy.id, { role: 'admin' });
      expect(promoted.body.user.role).toBe('admin');
      const [event] = await auditEvents(`targetId=${deputy.id}&event=user.role_changed`);
      expect(event.details).toEqual({ from: 'user', to: 'admin' });
      const deputyToken = (await loginTokens(api, deputy.email, deputy.password)).token;

      // Two admins demote each other at the same moment: one of them must remain. The loser
      // gets 409 (it saw the other's demotion under lock) or 403 (it was no longer an admin when
      // its request was authorised).
      const [first, second] = await Promise.all([
        patch(deputy.id, { role: 'user' }, adminToken),
        patch(rootId, { role: 'user' }, deputyToken),
      ]);
      const outcomes = [first.status, second.status];
      expect(outcomes.filter((status) => status === 200)).toHaveLength(1);
      expect(outcomes.filter((status) => status === 403 || status === 409)).toHaveLength(1);
      const survivorToken = first.status === 200 ? adminToken : deputyToken;
      const admins = (await api.get('/api/users?role=admin', { token: survivorToken })).body.users;
      expect(admins).toHaveLength(1);
      // Put the root admin back for the other tests.
      if (second.status === 200) {
        await patch(rootId, { role: 'admin' }, deputyToken);
        await patch(deputy.id, { role: 'user' }, adminToken);
      }
    });

    it.each([
      [{ role: 'superuser' }, 'role'],
      [{ disabled: 'yes' }, 'disabled'],
      [{ email: 'x@y.z' }, 'email'],
    ])('rejects the body %p with 422', async (user, field) => {
      const target = await registerUser(api, 'patched');
      const errors = expectErrorEnvelope(await patch(target.id, user), 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors).join()).toContain(field);
    });
  });
});

describe('REQUIRE_VERIFIED_EMAIL=true', () => {
  let smtp: TestSmtpServer;
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    testApp = await startTestApp(mailEnv(smtp.url, { REQUIRE_VERIFIED_EMAIL: 'true' }));
    api = new Api(testApp.baseUrl);
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.close();
  });

  it('makes an unverified account read-only until the address is verified', async () => {
    const user = await registerUser(api, 'unverified');
    const errors = expectErrorEnvelope(
      await api.post('/api/articles', {
        token: user.token,
        body: { article: { title: 'Hello', description: 'd', body: 'b' } },
      }),
      403,
      'EMAIL_NOT_VERIFIED',
    );
    expect(errors.body[0]).toMatch(/verify your email/);
    expect((await api.get('/api/articles', { token: user.token })).status).toBe(200);
    expect((await api.get('/api/user', { token: user.token })).status).toBe(200);
    // Account settings and verification stay open.
    expect(
      (await api.put('/api/user', { token: user.token, body: { user: { bio: 'hi' } } })).status,
    ).toBe(200);

    const token = linkToken(await smtp.waitFor(user.email), '/verify-email');
    expect((await api.post('/api/auth/email/verify', { body: { token } })).status).toBe(204);
    expect((await createArticle(api, user)).slug).toEqual(expect.any(String));
  });

  it('lets an unverified account delete itself, with a fresh login instead of the password', async () => {
    const user = await registerUser(api, 'quitter');
    expect((await api.delete('/api/user', { token: user.token })).status).toBe(204);
    expect((await login(api, user.email, user.password)).status).toBe(401);
  });
});
