import { describe, expect, it } from '@jest/globals';
import {
  clientFingerprint,
  generateRefreshToken,
  hashRefreshToken,
  openSuccessor,
  sealSuccessor,
} from './refresh-token.js';

describe('refresh tokens', () => {
  it('are 256 random bits in base64url', () => {
    expect(generateRefreshToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('are different every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, generateRefreshToken));
    expect(tokens.size).toBe(100);
  });

  it('hash to a stable SHA-256 hex digest that does not contain the token', () => {
    const token = generateRefreshToken();
    const hash = hashRefreshToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(token)).toBe(hash);
    expect(hash).not.toContain(token);
    expect(hashRefreshToken(generateRefreshToken())).not.toBe(hash);
  });

  describe('sealed successors', () => {
    const successor = { refreshToken: 'next-refresh', accessToken: 'next.access.jwt', client: 'c' };

    it('open with the rotated token and nothing else', () => {
      const token = generateRefreshToken();
      const sealed = sealSuccessor(token, successor);
      expect(openSuccessor(token, sealed)).toEqual(successor);
      expect(openSuccessor(generateRefreshToken(), sealed)).toBeUndefined();
      expect(openSuccessor(hashRefreshToken(token), sealed)).toBeUndefined();
    });

    it('hold neither token in the clear and refuse tampering', () => {
      const token = generateRefreshToken();
      const sealed = sealSuccessor(token, successor);
      expect(sealed).not.toContain('next-refresh');
      const bytes = Buffer.from(sealed, 'base64url');
      bytes[bytes.length - 1] ^= 1;
      expect(openSuccessor(token, bytes.toString('base64url'))).toBeUndefined();
    });

    it('fingerprint the client by address and user agent', () => {
      const phone = clientFingerprint({ ip: '10.0.0.1', userAgent: 'phone' });
      expect(clientFingerprint({ ip: '10.0.0.1', userAgent: 'phone' })).toBe(phone);
      expect(clientFingerprint({ ip: '10.0.0.2', userAgent: 'phone' })).not.toBe(phone);
      expect(clientFingerprint({ ip: '10.0.0.1', userAgent: 'laptop' })).not.toBe(phone);
    });
  });
});
