import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser } from '../support/users.js';

const METRICS_TOKEN = 'metrics-token-0123456789';

describe('GET /metrics', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({ METRICS_TOKEN });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  const scrape = async () => {
    const response = await fetch(`${testApp.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };

  it('counts requests by route pattern and status, with a duration histogram', async () => {
    const user = await registerUser(api);
    await api.get('/api/articles/no-such-article', { token: user.token });
    const text = await scrape();
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/articles\/:slug",status_code="404"\} [1-9]/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/api\/users",status_code="201"\} [1-9]/,
    );
    expect(text).not.toContain('no-such-article');
  });

  it('exposes event loop lag, process memory and database pool figures', async () => {
    const text = await scrape();
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('# TYPE db_pool_connections gauge');
  });

  it('refuses a scrape without the token, or with a wrong one, with 401 in the envelope', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${testApp.baseUrl}/metrics`, { headers });
      expect(response.status).toBe(401);
      expectErrorEnvelope(
        { status: response.status, body: await response.json(), headers: response.headers },
        401,
        'UNAUTHORIZED',
      );
    }
  });

  it('is not served at all when no METRICS_TOKEN is configured', async () => {
    const other = await startTestApp();
    try {
      const response = await fetch(`${other.baseUrl}/metrics`);
      expect(response.status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe('security headers', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  it('sets helmet headers, allows cross-origin reads and never sends x-powered-by', async () => {
    const response = await fetch(`${testApp.baseUrl}/api/tags`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Swagger UI must keep working when opened over plain HTTP (local runs).
    expect(response.headers.get('content-security-policy')).not.toContain('upgrade-insecure');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
