import { generateKeyPairSync, type JsonWebKey, sign } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  readJwsHeader,
  selectKey,
  SignatureError,
  verifyJwsSignature,
} from './id-token-signature.js';

function keyPair(kid: string, type: 'rsa' | 'ec' = 'rsa') {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid } as JsonWebKey };
}

function jws(header: object, payload: object, sign_: (data: Buffer) => Buffer): string {
  const head = Buffer.from(JSON.stringify(header)).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${head}.${body}.${sign_(Buffer.from(`${head}.${body}`)).toString('base64url')}`;
}

describe('ID token signatures', () => {
  const rsa = keyPair('r1');
  const other = keyPair('r1');
  const ec = keyPair('e1', 'ec');

  it('accepts RS256 and ES256 signatures made with the key', () => {
    const token = jws({ alg: 'RS256', kid: 'r1' }, { sub: 'a' }, (data) =>
      sign('sha256', data, rsa.privateKey),
    );
    expect(() => verifyJwsSignature(token, rsa.jwk)).not.toThrow();
    const ecToken = jws({ alg: 'ES256', kid: 'e1' }, { sub: 'a' }, (data) =>
      sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }),
    );
    expect(() => verifyJwsSignature(ecToken, ec.jwk)).not.toThrow();
  });

  it('rejects a token re-signed with another key under the same kid', () => {
    const token = jws({ alg: 'RS256', kid: 'r1' }, { sub: 'a' }, (data) =>
      sign('sha256', data, other.privateKey),
    );
    expect(() => verifyJwsSignature(token, rsa.jwk)).toThrow(SignatureError);
  });

  it('rejects a payload changed after signing', () => {
    const token = jws({ alg: 'RS256', kid: 'r1' }, { sub: 'a' }, (data) =>
      sign('sha256', data, rsa.privateKey),
    );
    const [head, , signature] = token.split('.');
    const forged = `${head}.${Buffer.from('{"sub":"b"}').toString('base64url')}.${signature}`;
    expect(() => verifyJwsSignature(forged, rsa.jwk)).toThrow('ID token signature is invalid');
  });

  it('rejects alg none and HMAC algorithms', () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.`;
    expect(() => verifyJwsSignature(none, rsa.jwk)).toThrow('algorithm none is not accepted');
    expect(selectKey([rsa.jwk], { alg: 'HS256', kid: 'r1' })).toBeUndefined();
  });

  it('selects keys by kid and key type, and finds none for an unknown kid', () => {
    expect(selectKey([rsa.jwk, ec.jwk], { alg: 'RS256', kid: 'r1' })).toBe(rsa.jwk);
    expect(selectKey([rsa.jwk, ec.jwk], { alg: 'ES256', kid: 'e1' })).toBe(ec.jwk);
    expect(selectKey([rsa.jwk], { alg: 'RS256', kid: 'unknown' })).toBeUndefined();
    expect(selectKey([rsa.jwk], { alg: 'ES256', kid: 'r1' })).toBeUndefined();
  });

  it('reads the header or explains that it is malformed', () => {
    expect(
      readJwsHeader(`${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.x.y`),
    ).toEqual({ alg: 'RS256', kid: 'k' });
    expect(() => readJwsHeader('%%%.x.y')).toThrow('ID token header is malformed');
  });
});
