import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('health probes', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('GET /api/health reports the process live', async () => {
    const response = await api.get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });

  it('GET /api/health/ready reports the database up', async () => {
    const response = await api.get('/api/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('needs no token and ignores an invalid one', async () => {
    const response = await api.get('/api/health/ready', { token: 'not-a-token' });
    expect(response.status).toBe(200);
  });
});
