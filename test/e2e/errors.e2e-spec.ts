import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { newCredentials, registerUser, type RegisteredUser } from '../support/users.js';

const BODY_LIMIT_BYTES = 2048;

describe('error envelope', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({ BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) });
    api = new Api(testApp.baseUrl);
    user = await registerUser(api);
  });
  afterAll(() => testApp.close());

  it('returns 422 with messages keyed by field when a DTO is invalid', async () => {
    const response = await api.post('/api/users', {
      body: { user: { email: 'not-an-email', username: 'has spaces', password: 'short' } },
    });
    const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
    expect(Object.keys(errors).sort()).toEqual(['email', 'password', 'username']);
    expect(errors.email).toContain('must be an email');
    expect(errors.password).toContain('must be at least 8 characters');
  });

  it('returns 422 keyed by the missing wrapper when the body has no user object', async () => {
    const response = await api.post('/api/users', { body: {} });
    const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
    expect(errors).toEqual({ user: ["can't be blank"] });
  });

  it.each([
    ['an array', []],
    ['a string', 'user'],
    ['a number', 42],
    ['null', null],
  ])('returns 422 when the JSON body is %s', async (_label, body) => {
    const response = await api.post('/api/users/login', {
      rawBody: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
  });

  it.each([
    ['an array', []],
    ['a string', 'jake'],
  ])('returns 422 keyed by user when the user wrapper is %s', async (_label, wrapper) => {
    const response = await api.post('/api/users/login', { body: { user: wrapper } });
    const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
    expect(errors.user).toContain('must be an object');
  });

  it('returns 401 when a protected route is called without a token', async () => {
    const response = await api.get('/api/user');
    expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
  });

  it('returns 403 when a user calls an admin-only route', async () => {
    const response = await api.get('/api/users', { token: user.token });
    expectErrorEnvelope(response, 403, 'FORBIDDEN');
  });

  it('returns 404 when the resource does not exist', async () => {
    const response = await api.delete(`/api/auth/sessions/${randomUUID()}`, { token: user.token });
    const errors = expectErrorEnvelope(response, 404, 'NOT_FOUND');
    expect(errors.body[0]).toMatch(/session .* not found/);
  });

  it.each([
    ['GET', '/api/does-not-exist'],
    ['POST', '/api/articles-that-never-were'],
    ['DELETE', '/api/tags'],
    ['GET', '/not-under-api'],
  ])('returns 404 ROUTE_NOT_FOUND for %s %s', async (method, path) => {
    const response = await api.request(method, path, { token: user.token });
    const errors = expectErrorEnvelope(response, 404, 'ROUTE_NOT_FOUND');
    expect(errors.body[0]).toContain(path);
  });

  it('returns 400 for a URL with broken percent-encoding', async () => {
    const response = await api.get('/api/profiles/%E0%A4%A', { token: user.token });
    expectErrorEnvelope(response, 400, 'BAD_REQUEST');
  });

  it('returns 414 for a path parameter longer than the router accepts', async () => {
    const response = await api.delete(`/api/auth/sessions/${'x'.repeat(300)}`, {
      token: user.token,
    });
    expectErrorEnvelope(response, 414, 'BAD_REQUEST');
  });

  it('returns 409 keyed by email when the email is already registered', async () => {
    const response = await api.post('/api/users', {
      body: { user: { ...newCredentials(), email: user.email.toUpperCase() } },
    });
    const errors = expectErrorEnvelope(response, 409, 'CONFLICT');
    expect(errors).toEqual({ email: ['has already been taken'] });
  });

  it('returns 409 keyed by username when the username is already registered', async () => {
    const response = await api.post('/api/users', {
      body: { user: { ...newCredentials(), username: user.username } },
    });
    const errors = expectErrorEnvelope(response, 409, 'CONFLICT');
    expect(errors).toEqual({ username: ['has already been taken'] });
  });

  it('returns 400 MALFORMED_JSON when the JSON body does not parse', async () => {
    const response = await api.post('/api/users/login', {
      rawBody: '{"user": {"email": ',
      headers: { 'content-type': 'application/json' },
    });
    const errors = expectErrorEnvelope(response, 400, 'MALFORMED_JSON');
    expect(errors.body).toEqual(['request body is not valid JSON']);
  });

  it('returns 413 when the body is larger than BODY_LIMIT_BYTES', async () => {
    const response = await api.put('/api/user', {
      token: user.token,
      body: { user: { bio: 'x'.repeat(BODY_LIMIT_BYTES + 1) } },
    });
    expectErrorEnvelope(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('returns 415 when the content type is not JSON', async () => {
    const response = await api.post('/api/users/login', {
      rawBody: 'email=a@b.c&password=12345678',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectErrorEnvelope(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('returns 415 for text/plain bodies', async () => {
    const response = await api.post('/api/users/login', {
      rawBody: '{"user":{}}',
      headers: { 'content-type': 'text/plain' },
    });
    expectErrorEnvelope(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('request ids', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('echoes a sane incoming X-Request-Id on success', async () => {
    const response = await api.get('/api/health', {
      headers: { 'x-request-id': 'trace-123.abc:def_ghi' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-123.abc:def_ghi');
  });

  it('echoes a sane incoming X-Request-Id in the error envelope', async () => {
    const response = await api.get('/api/user', { headers: { 'x-request-id': 'upstream-42' } });
    expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    expect(response.body.requestId).toBe('upstream-42');
  });

  it.each([
    ['spaces', 'two words'],
    ['markup', '<script>alert(1)</script>'],
    ['over 128 characters', 'a'.repeat(129)],
    ['quotes and semicolons', 'id";drop'],
  ])('replaces an incoming X-Request-Id containing %s', async (_label, incoming) => {
    const response = await api.get('/api/user', { headers: { 'x-request-id': incoming } });
    expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    expect(response.body.requestId).not.toBe(incoming);
    expect(response.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('generates a different id for every request without one', async () => {
    const first = await api.get('/api/health');
    const second = await api.get('/api/health');
    expect(first.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });
});
