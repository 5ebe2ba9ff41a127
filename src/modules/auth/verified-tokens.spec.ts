import { describe, expect, it } from '@jest/globals';
import { type VerifiedClaims, VerifiedTokens } from './verified-tokens.js';

const claims = (exp: number): VerifiedClaims => ({
  sub: '7',
  sid: 'session-1',
  typ: 'access',
  auth_time: 0,
  exp,
});

describe('VerifiedTokens', () => {
  it('returns the claims of a remembered token until the second it expires', () => {
    let now = 1_000_000;
    const tokens = new VerifiedTokens(10, () => now);
    tokens.remember('a.b.c', claims(1_005));
    expect(tokens.claimsOf('a.b.c')).toEqual(claims(1_005));
    now = 1_004_999;
    expect(tokens.claimsOf('a.b.c')?.exp).toBe(1_005);
    // jsonwebtoken: expired once the current second reaches exp.
    now = 1_005_000;
    expect(tokens.claimsOf('a.b.c')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('knows nothing of tokens it was not given, however similar', () => {
    const tokens = new VerifiedTokens(10, () => 0);
    tokens.remember('a.b.c', claims(10));
    expect(tokens.claimsOf('a.b.d')).toBeUndefined();
    expect(tokens.claimsOf('a.b.c ')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const tokens = new VerifiedTokens(2, () => 0);
    tokens.remember('one', claims(10));
    tokens.remember('two', claims(10));
    tokens.remember('three', claims(10));
    expect(tokens.size).toBe(2);
    expect(tokens.claimsOf('one')).toBeUndefined();
    expect(tokens.claimsOf('two')).toBeDefined();
    expect(tokens.claimsOf('three')).toBeDefined();
  });
});
