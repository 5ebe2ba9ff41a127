import { describe, expect, it } from '@jest/globals';
import type { FastifyRequest } from 'fastify';
import { readBrowserCookie } from './browser-cookie.js';

const VALUE = 'A'.repeat(21) + '_' + 'b'.repeat(21);
const request = (cookie?: string) => ({ headers: { cookie } }) as unknown as FastifyRequest;

describe('readBrowserCookie', () => {
  it('finds the binding cookie among others', () => {
    expect(readBrowserCookie(request(`a=1; conduit_oidc=${VALUE}; b=2`))).toBe(VALUE);
  });

  it('ignores a missing, malformed or look-alike cookie', () => {
    expect(readBrowserCookie(request())).toBeUndefined();
    expect(readBrowserCookie(request('conduit_oidc=short'))).toBeUndefined();
    expect(readBrowserCookie(request(`xconduit_oidc=${VALUE}`))).toBeUndefined();
    expect(readBrowserCookie(request(`conduit_oidc=${VALUE};x`))).toBe(VALUE);
  });
});
