import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, createComment } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { decodeClaims, signTestToken } from '../support/tokens.js';
import { loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

const ADMIN = { email: 'admin@example.com', password: 'admin-password-123' };
const METRICS_TOKEN = 'metrics-token-0123456789';

type Operation = { security?: Array<Record<string, string[]>>; 'x-roles'?: string[] };

/**
 * OWASP API5:2023 Broken Function Level Authorization: administrative and operational functions
 * refuse ordinary users, whatever the spelling of the URL. The OpenAPI document is the list of
 * functions: every operation it marks as authenticated is checked anonymously, and every
 * role-restricted one with a plain user's token.
 */
describe('API5:2023 broken function level authorization', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;
  let admin: { token: string };
  let operations: Array<{ method: string; path: string; operation: Operation }>;
  /** Real values for every path parameter, so a 401/403 is never a 404 in disguise. */
  let params: Record<string, string>;

  beforeAll(async () => {
    testApp = await startTestApp({
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      METRICS_TOKEN,
    });
    api = new Api(testApp.baseUrl);
    user = await registerUser(api, 'plain');
    admin = await loginTokens(api, ADMIN.email, ADMIN.password);
    const article = await createArticle(api, user);
    const comment = await createComment(api, user, article.slug);
    params = {
      slug: article.slug,
      id: String(comment.id),
      username: user.username,
    };
    const document = (await api.get('/docs-json')).body;
    operations = Object.entries(
      document.paths as Record<string, Record<string, Operation>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
    );
  });
  afterAll(() => testApp.close());

  const concrete = (path: string) =>
    path.replace(/\{(\w+)\}/g, (_match, name: string) => {
      // The session route takes a session id, the comment route a comment id.
      if (path.includes('sessions') && name === 'id') return decodeClaims(user.token).sid;
      // The admin user routes take the plain user's id.
      if (path.includes('/users/') && name === 'id') return String(decodeClaims(user.token).sub);
      return params[name];
    });

  it('refuses every operation that requires a token to an anonymous caller (401)', async () => {
    const authenticated = operations.filter(
      ({ operation }) =>
        operation.security?.length && !operation.security.some((s) => !Object.keys(s).length),
    );
    expect(authenticated.length).toBeGreaterThanOrEqual(12);
    for (const { method, path } of authenticated) {
      const body = method === 'get' ? undefined : {};
      const response = await api.request(method.toUpperCase(), concrete(path), { body });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    }
  });

  it('refuses every role-restricted operation to a plain user (403), and serves the admin', async () => {
    const restricted = operations.filter(({ operation }) => operation['x-roles']?.length);
    expect(restricted.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'get /api/admin/audit-events',
      'get /api/users',
      'get /api/users/{id}',
      'patch /api/users/{id}',
    ]);
    for (const { method, path } of restricted) {
      // A change that changes nothing (the plain user stays a user), so the check has no effect.
      const body = method === 'patch' ? { user: { role: 'user' } } : undefined;
      const refused = await api.request(method.toUpperCase(), concrete(path), {
        token: user.token,
        body,
      });
      expectErrorEnvelope(refused, 403, 'FORBIDDEN');
      const served = await api.request(method.toUpperCase(), concrete(path), {
        token: admin.token,
        body,
      });
      expect({ method, path, status: served.status }).toEqual({ method, path, status: 200 });
    }
  });

  it.each([
    ['a trailing slash', '/api/users/'],
    ['query parameters', '/api/users?role=admin&limit=1'],
    ['a doubled slash', '/api//users'],
    ['a dot segment', '/api/./users'],
    ['an encoded slash', '/api%2Fusers'],
    ['upper case', '/API/USERS'],
    ['an encoded letter', '/api/user%73'],
    ['a HEAD request', '/api/users'],
  ])('does not serve the admin list to a plain user through %s', async (label, path) => {
    const method = label === 'a HEAD request' ? 'HEAD' : 'GET';
    const response = await api.request(method, path, { token: user.token });
    expect([403, 404]).toContain(response.status);
    if (method === 'GET') expect(response.body.users).toBeUndefined();
  });

  it('ignores a role claim in a validly signed token: roles come from the database', async () => {
    const token = signTestToken({ ...decodeClaims(user.token), role: 'admin', roles: ['admin'] });
    expectErrorEnvelope(await api.get('/api/users', { token }), 403, 'FORBIDDEN');
  });

  it('has no route that grants or changes a role', async () => {
    for (const [method, path] of [
      ['PUT', `/api/users/${user.id}`],
      ['POST', `/api/users/${user.id}/role`],
      ['PUT', '/api/user/role'],
    ]) {
      const response = await api.request(method, path, {
        token: user.token,
        body: { user: { role: 'admin' } },
      });
      expectErrorEnvelope(response, 404, 'ROUTE_NOT_FOUND');
    }
    const roles = await api.get(`/api/users?search=${user.username}`, { token: admin.token });
    expect(roles.body.users[0].role).toBe('user');
  });

  describe('operational endpoints', () => {
    it('refuses /metrics to anonymous callers, users and admins alike (401)', async () => {
      for (const token of [undefined, user.token, admin.token]) {
        const response = await api.get('/metrics', { token, scheme: 'Bearer' });
        expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      }
      const scraper = await api.get('/metrics', { token: METRICS_TOKEN, scheme: 'Bearer' });
      expect(scraper.status).toBe(200);
    });

    it('does not serve /metrics under the API prefix', async () => {
      const response = await api.get('/api/metrics', { token: METRICS_TOKEN, scheme: 'Bearer' });
      expectErrorEnvelope(response, 404, 'ROUTE_NOT_FOUND');
    });

    it('answers the health probes without revealing internals', async () => {
      const ready = await api.get('/api/health/ready');
      expect(ready.status).toBe(200);
      const text = JSON.stringify(ready.body);
      expect(text).not.toMatch(/postgres|sqlite|password|127\.0\.0\.1|version/i);
    });
  });
});
