import { describe, expect, it } from '@jest/globals';
import { generateRefreshToken, hashRefreshToken } from './refresh-token.js';

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
});
