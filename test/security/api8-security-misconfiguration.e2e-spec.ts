import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

const ORIGIN = 'https://app.example.com';
const FOREIGN_ORIGIN = 'https://evil.example.net';
const BODY_LIMIT_BYTES = 4096;

/** Helmet's headers, which every answer carries: success, client error or router error. */
function expectSecurityHeaders(response: ApiResponse) {
  expect({
    nosniff: response.headers.get('x-content-type-options'),
    frame: response.headers.get('x-frame-options'),
    referrer: response.headers.get('referrer-policy'),
    hsts: response.headers.get('strict-transport-security'),
    poweredBy: response.headers.get('x-powered-by'),
    server: response.headers.get('server'),
  }).toEqual({
    nosniff: 'nosniff',
    frame: 'DENY',
    referrer: 'no-referrer',
    hsts: expect.stringMatching(/max-age=\d+/),
    poweredBy: null,
    server: null,
  });
  // Helmet's policy on routed answers; a stricter `default-src 'none'` on router errors.
  expect(response.headers.get('content-security-policy')).toMatch(/default-src '(self|none)'/);
  expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors '(self|none)'/);
}

/** Nothing about the implementation in an error body: no stack, SQL, paths or library names. */
function expectNoInternals(response: ApiResponse) {
  expect(JSON.stringify(response.body)).not.toMatch(
    /\s{2}at |:\d+:\d+\)|node_modules|\/src\/|\.ts:\d|SELECT |INSERT |QueryFailed|sqlite|postgres|typeorm|fastify|nestjs|FST_/i,
  );
}

/**
 * OWASP API8:2023 Security Misconfiguration: hardening headers everywhere, CORS limited to the
 * configured origins, unknown routes and methods answered with the envelope (never a framework
 * page), no debug or leftover endpoints, and errors that never show internals.
 */
describe('API8:2023 security misconfiguration', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({
      CORS_ORIGINS: ORIGIN,
      BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
    });
    api = new Api(testApp.baseUrl);
    user = await registerUser(api, 'config');
  });
  afterAll(() => testApp.close());

  /** Sends raw bytes (fetch refuses TRACE and unknown methods) and returns the raw answer. */
  const sendRaw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(testApp.baseUrl).port), '127.0.0.1', () =>
        socket.end(request),
      );
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });

  describe('security headers', () => {
    it.each([
      ['a success', () => api.get('/api/tags')],
      ['a 401', () => api.get('/api/user')],
      ['a 404 route', () => api.get('/api/nowhere')],
      ['a 422', () => api.post('/api/users', { body: { user: {} } })],
      ['a 400 from the router', () => api.get('/api/profiles/%E0%A4%A')],
      [
        'a 413 from the body parser',
        () => api.post('/api/users', { body: { user: { bio: 'x'.repeat(BODY_LIMIT_BYTES) } } }),
      ],
      [
        'a 415',
        () =>
          api.post('/api/users/login', {
            rawBody: 'a=b',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
      ],
    ])('are set on %s', async (_label, send) => {
      const response = await send();
      expectSecurityHeaders(response);
      expectNoInternals(response);
    });

    it('never invites shared caches to store an authenticated answer', async () => {
      // Without Cache-Control, shared caches do not store answers to requests carrying
      // Authorization (RFC 9111, 3.5); `public` or `s-maxage` would override that.
      const response = await api.get('/api/user', { token: user.token });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control') ?? '').not.toMatch(/public|s-maxage/);
    });
  });

  describe('CORS', () => {
    it('allows the configured origin, with the methods and Authorization header it needs', async () => {
      const response = await api.request('OPTIONS', '/api/user', {
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    });

    it('gives a foreign origin nothing to read, on preflights and on real requests', async () => {
      const preflight = await api.request('OPTIONS', '/api/user', {
        headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'PUT' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const read = await api.get('/api/user', {
        token: user.token,
        headers: { origin: FOREIGN_ORIGIN },
      });
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('never allows credentials (cookies): authentication is by header only', async () => {
      for (const origin of [ORIGIN, FOREIGN_ORIGIN, 'null']) {
        const response = await api.get('/api/tags', { headers: { origin } });
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
        expect(response.headers.get('set-cookie')).toBeNull();
      }
    });

    it('does not treat an origin that merely contains the allowed one as allowed', async () => {
      for (const origin of [
        `${ORIGIN}.evil.net`,
        `https://evil${ORIGIN.slice(8)}`,
        `${ORIGIN}:8443`,
      ]) {
        const response = await api.get('/api/tags', { headers: { origin } });
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      }
    });
  });

  describe('unknown routes and methods', () => {
    it.each([
      ['PATCH', '/api/user'],
      ['DELETE', '/api/tags'],
      ['PUT', '/api/articles'],
      ['POST', '/api/health'],
      ['PROPFIND', '/api/user'],
      ['GET', '/api/v1/articles'],
      ['GET', '/api/v2/user'],
      ['GET', '/.env'],
      ['GET', '/.git/config'],
      ['GET', '/api/debug'],
      ['GET', '/actuator/env'],
      ['GET', '/server-status'],
      ['GET', '/graphql'],
      ['GET', '/api/swagger.json'],
      ['GET', '/api/users/login/history'],
    ])('answers %s %s with 404 ROUTE_NOT_FOUND in the envelope', async (method, path) => {
      const response = await api.request(method, path, { token: user.token });
      expectErrorEnvelope(response, 404, 'ROUTE_NOT_FOUND');
      expectSecurityHeaders(response);
    });

    it('does not echo TRACE requests (no cross-site tracing)', async () => {
      const raw = await sendRaw(
        'TRACE /api/user HTTP/1.1\r\nHost: localhost\r\nX-Secret: echo-me\r\nConnection: close\r\n\r\n',
      );
      expect(raw).toMatch(/^HTTP\/1\.1 404/);
      expect(raw).not.toContain('echo-me');
    });

    it('answers an unparseable method at the HTTP layer with 400, not a crash', async () => {
      const raw = await sendRaw(
        'FOO /api/user HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      expect(raw).toMatch(/^HTTP\/1\.1 400/);
      expect((await api.get('/api/health')).status).toBe(200);
    });
  });

  describe('errors never show internals', () => {
    it.each([
      [
        'a malformed JSON body',
        () =>
          api.post('/api/users/login', {
            rawBody: '{"user":',
            headers: { 'content-type': 'application/json' },
          }),
      ],
      ['a wrong JSON type', () => api.post('/api/users/login', { body: { user: { email: 1 } } })],
      [
        'a prototype-poisoning body',
        () =>
          api.post('/api/users/login', {
            rawBody: '{"__proto__":{"admin":true}}',
            headers: { 'content-type': 'application/json' },
          }),
      ],
      ['a bogus token', () => api.get('/api/user', { token: 'a.b.c' })],
      ['a bogus cursor', () => api.get('/api/articles?cursor=not-a-cursor')],
      ['a bogus sort', () => api.get('/api/articles?sort=password')],
      [
        'an unknown comment id',
        () =>
          api.delete('/api/articles/nope/comments/999999999999999999999', { token: user.token }),
      ],
      [
        'a non-UUID session id',
        () => api.delete("/api/auth/sessions/'%20OR%201=1--", { token: user.token }),
      ],
    ])('for %s', async (_label, send) => {
      const response = await send();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectErrorEnvelope(response, response.status, response.body.code);
      expectNoInternals(response);
    });
  });
});
