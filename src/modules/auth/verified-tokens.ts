import type { AccessTokenClaims } from './access-token.service.js';

/** Claims of a token whose signature, algorithm, issuer and audience have been verified. */
export type VerifiedClaims = AccessTokenClaims & { exp: number };

/**
 * Access tokens already verified by this process, with their claims, so the same token's next
 * request skips the signature check (jsonwebtoken's verification was about a tenth of an
 * authenticated request's CPU). Only what the token itself proves is remembered: the session
 * and the user are still read on every request, so logout, revocation and disabling take
 * effect at once. Expiry is checked again on every use, exactly as jsonwebtoken checks it.
 * Bounded: beyond `maxEntries` the oldest entry goes (clients reuse one token for minutes, so
 * insertion order is close enough to least recent use, and a lookup stays a plain Map read).
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedClaims>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  remember(token: string, claims: VerifiedClaims): void {
    if (this.entries.has(token)) return;
    this.entries.set(token, claims);
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  /** The token's claims while it has not expired; undefined when unknown or expired. */
  claimsOf(token: string): VerifiedClaims | undefined {
    const claims = this.entries.get(token);
    if (!claims) return undefined;
    if (Math.floor(this.now() / 1000) < claims.exp) return claims;
    this.entries.delete(token);
    return undefined;
  }
}
