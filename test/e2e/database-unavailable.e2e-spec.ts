import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/** Destroys the app's DataSource: every later query fails as if the database were gone. */
describe('when the database is unavailable', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    user = await registerUser(api);
    await testApp.dataSource.destroy();
  });
  afterAll(() => testApp.close());

  const expectUnavailable = (response: Parameters<typeof expectErrorEnvelope>[0]) => {
    const errors = expectErrorEnvelope(response, 503, 'SERVICE_UNAVAILABLE');
    expect(errors).toEqual({ body: ['the service is temporarily unavailable, try again shortly'] });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('reports not ready with 503', async () => {
    expectUnavailable(await api.get('/api/health/ready'));
  });

  it('still reports live, since liveness does not touch dependencies', async () => {
    const response = await api.get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });

  it('returns 503 to an authenticated request (the token check needs the database)', async () => {
    expectUnavailable(await api.get('/api/user', { token: user.token }));
  });

  it('returns 503 to a login', async () => {
    expectUnavailable(
      await api.post('/api/users/login', {
        body: { user: { email: user.email, password: user.password } },
      }),
    );
  });

  it('returns 503 to a refresh', async () => {
    expectUnavailable(
      await api.post('/api/auth/refresh', { body: { refreshToken: user.refreshToken } }),
    );
  });

  it('still answers 401 to a request without a token, which needs no database', async () => {
    expectErrorEnvelope(await api.get('/api/user'), 401, 'UNAUTHORIZED');
  });
});
