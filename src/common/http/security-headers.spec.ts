import { describe, expect, it } from '@jest/globals';
import {
  computeSecurityHeaders,
  ROUTER_ERROR_SECURITY_HEADERS,
  SECURITY_HEADERS,
} from './security-headers.js';

describe('security headers', () => {
  it('are the headers helmet sets for our options, computed once', () => {
    expect(SECURITY_HEADERS).toMatchObject({
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'cross-origin',
    });
    expect(SECURITY_HEADERS).not.toHaveProperty('cross-origin-embedder-policy');
    expect(Object.isFrozen(SECURITY_HEADERS)).toBe(true);
  });

  it('allow Swagger UI scripts only from the server itself, and no framing', () => {
    const csp = SECURITY_HEADERS['content-security-policy'].split(';');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp.join(';')).not.toContain('upgrade-insecure-requests');
  });

  it('give router errors a CSP that allows nothing', () => {
    expect(ROUTER_ERROR_SECURITY_HEADERS['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(ROUTER_ERROR_SECURITY_HEADERS['x-frame-options']).toBe('DENY');
  });

  it('follow the options: a header turned off is absent, removals are honoured', () => {
    const headers = computeSecurityHeaders({ hsts: false, xFrameOptions: false });
    expect(headers).not.toHaveProperty('strict-transport-security');
    expect(headers).not.toHaveProperty('x-frame-options');
    expect(headers['x-content-type-options']).toBe('nosniff');
  });

  it('surface an invalid option instead of sending no headers', () => {
    expect(() =>
      computeSecurityHeaders({ referrerPolicy: { policy: 'not-a-policy' as 'no-referrer' } }),
    ).toThrow();
  });
});
