import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, favorite } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

const AUTH_MAX = 6;
const ADMIN = { email: 'api10-admin@example.com', password: 'admin-password-123' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * OWASP API10:2023 Unsafe Consumption of APIs. Conduit calls no third-party API; what it does
 * consume from outside is infrastructure metadata (X-Forwarded-For, X-Request-Id), data it
 * handed out earlier and gets back (pagination cursors) and its shared cache. None of it is
 * trusted beyond what it is for: proxy headers only from configured proxies, request ids only
 * when harmless, cursors only when authentic (AES-GCM), cached views never personalised.
 */
describe('API10:2023 unsafe consumption of APIs', () => {
  let testApp: TestApp;
  let api: Api;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let admin: { token: string };
  let slug: string;

  beforeAll(async () => {
    testApp = await startTestApp({
      RATE_LIMIT_AUTH_MAX: String(AUTH_MAX),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    api = new Api(testApp.baseUrl);
    admin = await loginTokens(api, ADMIN.email, ADMIN.password);
    alice = await registerUser(api, 'alice');
    bob = await registerUser(api, 'bob');
    slug = (await createArticle(api, alice)).slug;
  });
  afterAll(() => testApp.close());

  describe('request ids', () => {
    it('keeps a harmless incoming X-Request-Id, so a trace can follow the request', async () => {
      const response = await api.get('/api/tags', { headers: { 'x-request-id': 'trace-42.a:b' } });
      expect(response.headers.get('x-request-id')).toBe('trace-42.a:b');
    });

    it.each([
      ['markup', '<script>alert(1)</script>'],
      ['spaces and quotes', `a" onload="x`],
      ['an over-long id', 'a'.repeat(129)],
      ['JSON', '{"level":"fatal"}'],
    ])('replaces an incoming id with %s by its own', async (_label, id) => {
      const response = await api.get('/api/nowhere', { headers: { 'x-request-id': id } });
      const generated = response.headers.get('x-request-id');
      expect(generated).toMatch(UUID);
      expect(response.body.requestId).toBe(generated);
      expect(JSON.stringify(response.body)).not.toContain(id);
    });
  });

  describe('pagination cursors handed back by clients', () => {
    let cursor: string;

    beforeAll(async () => {
      await createArticle(api, alice);
      cursor = (await api.get('/api/articles?limit=1')).body.nextCursor;
      expect(cursor).toEqual(expect.any(String));
    });

    it('accepts its own cursor unchanged (control)', async () => {
      const response = await api.get(`/api/articles?limit=1&cursor=${encodeURIComponent(cursor)}`);
      expect(response.status).toBe(200);
    });

    it('refuses a cursor with any byte of its ciphertext flipped (422)', async () => {
      const bytes = Buffer.from(cursor, 'base64url');
      for (const index of [0, 12, Math.floor(bytes.length / 2), bytes.length - 1]) {
        const edited = Buffer.from(bytes);
        edited[index] ^= 0x01;
        const response = await api.get(
          `/api/articles?cursor=${encodeURIComponent(edited.toString('base64url'))}`,
        );
        expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED').cursor).toEqual([
          'is malformed or was tampered with',
        ]);
      }
    });

    it('hands out opaque cursors: the admin list sorted by email shows no email', async () => {
      const listed = await api.get('/api/users?sort=email&limit=1', { token: admin.token });
      expect(listed.status).toBe(200);
      const next = listed.body.nextCursor as string;
      expect(next).toEqual(expect.any(String));
      const email = listed.body.users[0].email as string;
      const readable = [next, Buffer.from(next, 'base64url').toString('latin1')];
      for (const text of readable) {
        expect(text).not.toContain(email);
        expect(text).not.toContain(email.split('@')[0]);
        expect(text).not.toContain('users');
      }
    });

    it('refuses a cursor of one list on another list (422)', async () => {
      const response = await api.get(`/api/auth/sessions?cursor=${encodeURIComponent(cursor)}`, {
        token: alice.token,
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toHaveProperty('cursor');
    });

    it('refuses a hand-made cursor carrying SQL (422)', async () => {
      const forged = Buffer.from(
        JSON.stringify({ list: 'articles', sort: ['-createdAt'], key: ["1' OR '1'='1", 1] }),
      ).toString('base64url');
      const response = await api.get(`/api/articles?cursor=${forged}.AAAAAAAAAAAAAAAAAAAAAA`);
      expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
    });
  });

  describe('the shared cache', () => {
    it('never serves one caller’s personalised view to another', async () => {
      await favorite(api, bob, slug);
      const asBob = await api.get(`/api/articles/${slug}`, { token: bob.token });
      expect(asBob.body.article.favorited).toBe(true);
      const anonymous = await api.get(`/api/articles/${slug}`);
      expect(anonymous.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
      const asAlice = await api.get(`/api/articles/${slug}`, { token: alice.token });
      expect(asAlice.body.article.favorited).toBe(false);
    });

    it('does not serve a stale cached view after the author changes the article', async () => {
      await api.get(`/api/articles/${slug}`);
      const updated = await api.put(`/api/articles/${slug}`, {
        token: alice.token,
        body: { article: { body: 'revised body' } },
      });
      expect(updated.status).toBe(200);
      expect((await api.get(`/api/articles/${slug}`)).body.article.body).toBe('revised body');
    });
  });

  describe('proxy headers without a configured proxy (TRUST_PROXY unset)', () => {
    it('records the socket address, not X-Forwarded-For, as the session address', async () => {
      const response = await api.get('/api/auth/sessions', {
        token: alice.token,
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expect(response.body.sessions[0].ip).not.toBe('203.0.113.7');
      expect(JSON.stringify(response.body)).not.toContain('203.0.113.7');
    });

    it('does not let a client escape its credential budget by forging X-Forwarded-For', async () => {
      // Two registrations already spent part of this address's budget.
      const statuses: number[] = [];
      for (let attempt = 0; attempt < AUTH_MAX; attempt += 1) {
        const response = await api.post('/api/users/login', {
          headers: { 'x-forwarded-for': `198.51.100.${attempt}` },
          body: { user: { email: `nobody-${attempt}@example.com`, password: 'password123' } },
        });
        statuses.push(response.status);
      }
      expect(statuses).toContain(429);
      const fresh = await login(api, alice.email, alice.password);
      expectErrorEnvelope(fresh, 429, 'RATE_LIMITED');
    });
  });
});
