import { createHash, randomBytes } from 'node:crypto';

/** A new opaque bearer secret (refresh tokens, mailed links): 256 random bits, base64url. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Opaque tokens are high-entropy random values, so a fast SHA-256 is enough to make the stored
 * value useless to a database thief (no password-style stretching needed).
 */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
