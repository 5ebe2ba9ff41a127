import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../errors/domain-errors.js';
import { CursorCodec, type CursorPayload, MAX_CURSOR_LENGTH } from './cursor-codec.js';

const SECRET = 'unit-test-secret-0123456789abcdefghijklmnop';
const codec = new CursorCodec(SECRET);
const payload: CursorPayload = {
  list: 'users',
  sort: '-createdAt,username',
  values: ['2024-01-01T00:00:00.000123Z', 'jake', 42],
};
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Asserts the one 422 every bad cursor gets. */
function expectRejected(cursor: string): void {
  let thrown: unknown;
  try {
    codec.decode(cursor);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  expect((thrown as ValidationError).fields).toEqual({
    cursor: ['is malformed or was tampered with'],
  });
}

/** The cursor with the character at `index` replaced by another base64url character. */
function flip(cursor: string, index: number): string {
  const current = cursor[index];
  const replacement = BASE64URL[(BASE64URL.indexOf(current) + 1) % BASE64URL.length];
  return `${cursor.slice(0, index)}${replacement}${cursor.slice(index + 1)}`;
}

/** Encrypts an arbitrary plaintext the way the codec does, to test what happens after decryption. */
function sealed(plain: string): string {
  const key = (codec as unknown as { key: Buffer }).key;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(
    Buffer.from('conduit-pagination-cursor-v2'),
  );
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

describe('CursorCodec', () => {
  it('decodes what it encoded', () => {
    expect(codec.decode(codec.encode(payload))).toEqual(payload);
  });

  it('produces URL-safe text: one base64url string', () => {
    expect(codec.encode(payload)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('is opaque: neither the values nor the list can be read from it', () => {
    const cursor = codec.encode({ ...payload, values: ['alice@example.com', 7] });
    const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
    for (const secret of ['alice', 'example', 'users', 'createdAt']) {
      expect(decoded).not.toContain(secret);
      expect(cursor).not.toContain(secret);
      expect(cursor).not.toContain(Buffer.from(secret).toString('base64url').slice(0, 4));
    }
  });

  it('encrypts the same payload differently each time (random IV)', () => {
    expect(codec.encode(payload)).not.toBe(codec.encode(payload));
  });

  it('never uses an IV twice, across refills of its IV pool', () => {
    const fresh = new CursorCodec('another-unit-test-secret-0123456789abcdef');
    const ivs = Array.from({ length: 1000 }, () =>
      Buffer.from(fresh.encode(payload), 'base64url').subarray(0, 12).toString('hex'),
    );
    expect(new Set(ivs).size).toBe(ivs.length);
    for (const cursor of [fresh.encode(payload), fresh.encode(payload)])
      expect(fresh.decode(cursor)).toEqual(payload);
  });

  it('rejects a cursor with any single character changed', () => {
    // Including the last one, whose low bits base64url decoding would silently ignore.
    const cursor = codec.encode(payload);
    for (let index = 0; index < cursor.length; index++) expectRejected(flip(cursor, index));
  });

  it('rejects a cursor truncated at any length', () => {
    const cursor = codec.encode(payload);
    for (let length = 0; length < cursor.length; length++) expectRejected(cursor.slice(0, length));
  });

  it('rejects a cursor encrypted with another secret', () => {
    expectRejected(new CursorCodec(`${SECRET}-other`).encode(payload));
  });

  it.each([
    ['empty', ''],
    ['a lone dot', '.'],
    ['the old signed format', 'eyJsaXN0IjoidXNlcnMifQ.AAAAAAAAAAAAAAAAAAAAAA'],
    ['plain base64url JSON', Buffer.from(JSON.stringify(payload)).toString('base64url')],
    ['three parts', 'a.b.c'],
    ['not base64', '!!!.???'],
    ['padding and spaces', `${'e30='} .AAAA`],
  ])('rejects %s', (_label, cursor) => {
    expectRejected(cursor);
  });

  it('rejects a cursor longer than the maximum before doing any work', () => {
    expectRejected('A'.repeat(MAX_CURSOR_LENGTH + 4));
  });

  it.each([
    ['a body that is not JSON', 'not json'],
    ['a JSON array', '[1,2]'],
    ['null', 'null'],
    ['a missing list', '{"sort":"id","values":[1]}'],
    ['no values', '{"list":"u","sort":"id","values":[]}'],
    ['a null value', '{"list":"u","sort":"id","values":[null]}'],
    ['an object value', '{"list":"u","sort":"id","values":[{}]}'],
  ])('rejects an authentic cursor with %s', (_label, plain) => {
    expectRejected(sealed(plain));
  });

  it('ignores extra payload properties rather than passing them on', () => {
    expect(codec.decode(sealed(JSON.stringify({ ...payload, admin: true })))).toEqual(payload);
  });
});
