import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/**
 * Drops the refresh_tokens table under the running app, so the refresh endpoint hits a real,
 * unexpected database error (no test-only route needed in production code).
 */
describe('unexpected errors', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    user = await registerUser(api);
    await testApp.dataSource.query('DROP TABLE refresh_tokens');
  });
  afterAll(() => testApp.close());

  it('returns 500 with a generic message and the request id', async () => {
    const response = await api.post('/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
      headers: { 'x-request-id': 'support-ticket-7' },
    });
    const errors = expectErrorEnvelope(response, 500, 'INTERNAL_ERROR');
    expect(errors).toEqual({
      body: ['an unexpected error occurred; quote the request id when reporting it'],
    });
    expect(response.body.requestId).toBe('support-ticket-7');
  });

  it('does not leak SQL, table names or driver messages', async () => {
    const response = await api.post('/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toMatch(
      /refresh_tokens|select|sqlite|relation|does not exist|no such table|QueryFailed|stack|\bat\b/i,
    );
  });

  it('keeps serving requests that do not touch the broken table', async () => {
    const response = await api.get('/api/user', { token: user.token });
    expect(response.status).toBe(200);
  });
});
