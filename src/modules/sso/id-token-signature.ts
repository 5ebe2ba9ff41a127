import { constants, createPublicKey, type JsonWebKey, verify } from 'node:crypto';

/** Asymmetric JWS algorithms accepted for ID tokens; `none` and HMAC never are. */
const ALGORITHMS: Record<string, { kty: string; hash: string | null; pss?: boolean; ec?: true }> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', ec: true },
  ES384: { kty: 'EC', hash: 'sha384', ec: true },
  ES512: { kty: 'EC', hash: 'sha512', ec: true },
  EdDSA: { kty: 'OKP', hash: null },
  Ed25519: { kty: 'OKP', hash: null },
};

/** Why a signature check failed; the message is safe to show to the client. */
export class SignatureError extends Error {}

export interface JwsHeader {
  alg: string;
  kid?: string;
}

/** The protected header of a compact JWS, or a {@link SignatureError}. */
export function readJwsHeader(jws: string): JwsHeader {
  const [encoded] = jws.split('.');
  try {
    const header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as JwsHeader;
    if (typeof header?.alg !== 'string') throw new Error('no alg');
    return header;
  } catch {
    throw new SignatureError('ID token header is malformed');
  }
}

/** The key of the set the header designates (by `kid`, and by key type for the algorithm). */
export function selectKey(keys: JsonWebKey[], header: JwsHeader): JsonWebKey | undefined {
  const algorithm = ALGORITHMS[header.alg];
  if (!algorithm) return undefined;
  const candidates = keys.filter(
    (key) =>
      key.kty === algorithm.kty &&
      (header.kid === undefined || key.kid === header.kid) &&
      (key.alg === undefined || key.alg === header.alg) &&
      (key.use === undefined || key.use === 'sig'),
  );
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** Verifies a compact JWS signature with a public JWK; throws {@link SignatureError}. */
export function verifyJwsSignature(jws: string, key: JsonWebKey): void {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new SignatureError('ID token is not a compact JWS');
  const header = readJwsHeader(jws);
  const algorithm = ALGORITHMS[header.alg];
  if (!algorithm) throw new SignatureError(`ID token algorithm ${header.alg} is not accepted`);
  let valid: boolean;
  try {
    const publicKey = createPublicKey({ key, format: 'jwk' });
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2], 'base64url');
    valid = verify(
      algorithm.hash,
      data,
      algorithm.pss
        ? {
            key: publicKey,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          }
        : algorithm.ec
          ? { key: publicKey, dsaEncoding: 'ieee-p1363' }
          : publicKey,
      signature,
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new SignatureError('ID token signature is invalid');
}
