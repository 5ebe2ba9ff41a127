import { afterAll, beforeAll, it } from '@jest/globals';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
let t: TestApp;
let api: Api;
beforeAll(async () => {
  t = await startTestApp();
  api = new Api(t.baseUrl);
});
afterAll(() => t.close());
it('probe', async () => {
  const out: unknown[] = [];
  for (const raw of [
    '[]',
    'null',
    '"x"',
    '{"__proto__":{"a":1}}',
    '{"user":{"email":"a@b.co","password":"x","role":"admin"}}',
    '{"user":[]}',
    '{"user":"x"}',
  ])
    out.push([
      raw,
      (
        await api.post('/api/users/login', {
          rawBody: raw,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        })
      ).body,
    ]);
  out.push(
    (
      await api.post('/api/users', {
        body: {
          user: {
            email: 'a@b.co',
            username: 'abc',
            password: '12345678',
            role: 'admin',
            id: 5,
            createdAt: 'x',
          },
        },
      })
    ).body,
  );
  out.push((await api.get('/api/health/ready')).body);
  out.push((await api.get('/api/health')).body);
  out.push((await api.post('/api/auth/refresh', { body: { refreshToken: 'x'.repeat(20) } })).body);
  out.push((await api.get('/api/users?limit=abc')).body);
  console.log(JSON.stringify(out, null, 1));
});
