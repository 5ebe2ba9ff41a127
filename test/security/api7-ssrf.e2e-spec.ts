import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/**
 * OWASP API7:2023 Server Side Request Forgery. The API never fetches a URL a client supplies:
 * the only URL it accepts (`image`) is stored and returned as text for the browser to load.
 * These tests pin that down with a listener the server would have to call if it ever did, and
 * check that only http(s) URLs are accepted, so a stored value cannot become a `file:`,
 * `javascript:` or `gopher:` link in clients.
 */
describe('API7:2023 server side request forgery', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;
  let canary: Server;
  let canaryUrl: string;
  const canaryHits: string[] = [];

  beforeAll(async () => {
    canary = createServer((request, response) => {
      canaryHits.push(`${request.method} ${request.url}`);
      response.end('ok');
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`;
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    user = await registerUser(api, 'ssrf');
  });
  afterAll(async () => {
    await testApp.close();
    await new Promise((resolve) => canary.close(resolve));
  });

  it('stores an internal image URL as text and never requests it', async () => {
    const image = `${canaryUrl}/latest/meta-data/iam/security-credentials/`;
    const updated = await api.put('/api/user', { token: user.token, body: { user: { image } } });
    expect(updated.status).toBe(200);
    expect(updated.body.user.image).toBe(image);
    await createArticle(api, user);
    await api.get(`/api/profiles/${user.username}`);
    await api.get('/api/articles');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(canaryHits).toEqual([]);
  });

  it.each([
    ['file:', 'file:///etc/passwd'],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['gopher:', 'gopher://127.0.0.1:6379/_FLUSHALL'],
    ['data:', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['ftp:', 'ftp://127.0.0.1/secret'],
    ['a protocol-relative URL', '//evil.example/x.png'],
    ['a bare host', '169.254.169.254/latest/meta-data'],
    ['credentials (shown to every reader)', 'https://admin:hunter2@example.com/x.png'],
    ['a user name only', 'http://admin@169.254.169.254/latest/meta-data'],
  ])('refuses an image URL with %s (422)', async (_label, image) => {
    const response = await api.put('/api/user', { token: user.token, body: { user: { image } } });
    expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED').image).toEqual([
      'must be an http(s) URL without credentials',
    ]);
  });

  it('stores a link-local metadata address as text (never fetched: decision in docs/security.md)', async () => {
    const image = 'http://169.254.169.254/latest/meta-data/';
    const updated = await api.put('/api/user', { token: user.token, body: { user: { image } } });
    expect(updated.status).toBe(200);
    expect(updated.body.user.image).toBe(image);
  });

  it('does not follow X-Forwarded-Host or X-Forwarded-Proto anywhere', async () => {
    const host = new URL(canaryUrl).host;
    const attempts: Array<Record<string, string>> = [
      { 'x-forwarded-host': host },
      { 'x-forwarded-proto': 'gopher' },
    ];
    for (const headers of attempts) {
      const response = await api.get('/api/articles', { headers });
      expect(response.status).toBe(200);
    }
    const docs = await api.get('/docs-json', { headers: { 'x-forwarded-host': host } });
    expect(JSON.stringify(docs.body)).not.toContain(host);
    expect(canaryHits).toEqual([]);
  });

  it('answers an absolute-form request target aimed at another host without fetching it', async () => {
    // A forward-proxy style request line must not make the server fetch the URL for anyone.
    const { port } = new URL(testApp.baseUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: `${canaryUrl}/api/tags`,
          headers: { host: new URL(canaryUrl).host },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(500);
    expect(canaryHits).toEqual([]);
  });
});
