import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser } from '../support/users.js';

describe('smoke', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('registers and reads the current user', async () => {
    const user = await registerUser(api);
    const response = await api.get('/api/user', { token: user.token });
    expect(response.status).toBe(200);
    expect(response.body.user.username).toBe(user.username);
  });
});
