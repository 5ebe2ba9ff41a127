import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ORIGIN = 'https://app.example.com';

describe('HTTP headers', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ CORS_ORIGINS: `${ORIGIN},https://admin.example.com` });
  });
  afterAll(() => testApp.close());

  const preflight = (method: string, origin = ORIGIN) =>
    fetch(`${testApp.baseUrl}/api/user`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('sets the security headers on every response', async () => {
    const response = await fetch(`${testApp.baseUrl}/api/health`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it.each(['GET', 'POST', 'PUT', 'DELETE'])(
    'lets a configured origin send %s with Authorization cross-origin',
    async (method) => {
      const response = await preflight(method);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('access-control-allow-methods')?.split(/,\s*/)).toContain(method);
      expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    },
  );

  it('does not allow an origin that is not configured', async () => {
    const response = await preflight('PUT', 'https://evil.example.net');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('exposes the request id, rate-limit and idempotency headers to browser scripts', async () => {
    const response = await fetch(`${testApp.baseUrl}/api/health`, { headers: { origin: ORIGIN } });
    const exposed = response.headers.get('access-control-expose-headers')?.split(/,\s*/) ?? [];
    expect(exposed).toEqual(
      expect.arrayContaining([
        'x-request-id',
        'ratelimit-remaining',
        'retry-after',
        'idempotent-replayed',
      ]),
    );
  });

  it('lets a browser send Idempotency-Key cross-origin', async () => {
    const response = await fetch(`${testApp.baseUrl}/api/articles`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/idempotency-key/i);
  });
});
