import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { TEST_JWT_SECRET } from './test-app.js';

/** Claims the API expects in an access token (see AccessTokenService). */
export const ACCESS_TOKEN_DEFAULTS = {
  iss: 'conduit-platform',
  aud: 'conduit-api',
  typ: 'access',
} as const;

export type TestTokenAlgorithm = 'HS256' | 'HS512' | 'RS256' | 'none';

export interface TestTokenOptions {
  algorithm?: TestTokenAlgorithm;
  /** HMAC secret (defaults to the secret the test app runs with). */
  secret?: string;
  /** Seconds from now until expiry; negative for an already expired token. Default 600. */
  expiresIn?: number;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Hand-signs a JWT so tests can forge exactly the defect under test (algorithm, key, expiry,
 * claims). With the defaults it produces a token the API accepts, which the token suite checks
 * first so every rejection is known to come from the one thing changed.
 */
export function signTestToken(
  claims: Record<string, unknown>,
  options: TestTokenOptions = {},
): string {
  const algorithm = options.algorithm ?? 'HS256';
  const now = Math.floor(Date.now() / 1000);
  const header = encode({ alg: algorithm, typ: 'JWT' });
  const payload = encode({
    ...ACCESS_TOKEN_DEFAULTS,
    iat: now,
    exp: now + (options.expiresIn ?? 600),
    ...claims,
  });
  const input = `${header}.${payload}`;
  const secret = options.secret ?? TEST_JWT_SECRET;
  switch (algorithm) {
    case 'none':
      return `${input}.`;
    case 'HS256':
    case 'HS512': {
      const digest = algorithm === 'HS256' ? 'sha256' : 'sha512';
      return `${input}.${createHmac(digest, secret).update(input).digest('base64url')}`;
    }
    case 'RS256': {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    }
  }
}

/** The `{ sub, sid }` claims of a token the API issued (decoded without verification). */
export function decodeClaims(token: string): {
  sub: string;
  sid: string;
  [claim: string]: unknown;
} {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}
