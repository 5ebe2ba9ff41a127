import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/** Refresh tokens are opaque tokens: 256 random bits, stored only as a SHA-256 hash. */
export {
  generateOpaqueToken as generateRefreshToken,
  hashOpaqueToken as hashRefreshToken,
} from '../../common/auth/opaque-token.js';

/** What a rotation issued, kept for the grace window (see SessionsService.rotate). */
export interface SealedSuccessor {
  refreshToken: string;
  accessToken: string;
  /** {@link clientFingerprint} of the client the pair was issued to. */
  client: string;
}

/**
 * AES-256-GCM key derived from the rotated refresh token itself: the sealed successor can only
 * be opened by someone presenting that token, never by a reader of the database (which holds
 * only the token's SHA-256).
 */
function successorKey(token: string): Buffer {
  return createHmac('sha256', token).update('conduit refresh-token successor v1').digest();
}

/** Encrypts the successor pair under the rotated token: base64url(iv ‖ tag ‖ ciphertext). */
export function sealSuccessor(token: string, successor: SealedSuccessor): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', successorKey(token), iv);
  const ciphertext = Buffer.concat([
    cipher.update(JSON.stringify(successor), 'utf8'),
    cipher.final(),
  ]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

/** The sealed pair, or undefined when `token` does not open it (or it was tampered with). */
export function openSuccessor(token: string, sealed: string): SealedSuccessor | undefined {
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', successorKey(token), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as SealedSuccessor;
  } catch {
    return undefined;
  }
}

/** Identifies the client of a refresh (address and user agent), hashed. */
export function clientFingerprint(client: { ip?: string; userAgent?: string }): string {
  return createHash('sha256')
    .update(`${client.ip ?? ''}\n${client.userAgent ?? ''}`)
    .digest('base64url');
}
