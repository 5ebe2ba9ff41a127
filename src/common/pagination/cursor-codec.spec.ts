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

/** Signs an arbitrary body the way the codec does, to test what happens after the signature. */
function signed(body: string): string {
  return `${body}.${(codec as unknown as { sign(body: string): string }).sign(body)}`;
}

describe('CursorCodec', () => {
  it('decodes what it encoded', () => {
    expect(codec.decode(codec.encode(payload))).toEqual(payload);
  });

  it('produces URL-safe text: base64url body, a dot, a base64url signature', () => {
    expect(codec.encode(payload)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });

  it('rejects a cursor with any single character of the body changed', () => {
    const cursor = codec.encode(payload);
    const bodyLength = cursor.indexOf('.');
    for (let index = 0; index < bodyLength; index++) expectRejected(flip(cursor, index));
  });

  it('rejects a cursor with any single character of the signature changed', () => {
    // Including the last one, whose low bits base64url decoding would silently ignore.
    const cursor = codec.encode(payload);
    for (let index = cursor.indexOf('.') + 1; index < cursor.length; index++) {
      expectRejected(flip(cursor, index));
    }
  });

  it('rejects a cursor truncated at any length', () => {
    const cursor = codec.encode(payload);
    for (let length = 0; length < cursor.length; length++) expectRejected(cursor.slice(0, length));
  });

  it('rejects a cursor signed with another secret', () => {
    expectRejected(new CursorCodec(`${SECRET}-other`).encode(payload));
  });

  it.each([
    ['empty', ''],
    ['a lone dot', '.'],
    ['no signature', 'eyJsaXN0IjoidXNlcnMifQ'],
    ['three parts', 'a.b.c'],
    ['not base64', '!!!.???'],
    ['padding and spaces', `${'e30='} .AAAA`],
  ])('rejects %s', (_label, cursor) => {
    expectRejected(cursor);
  });

  it('rejects a cursor longer than the maximum before doing any work', () => {
    expectRejected(`${'A'.repeat(MAX_CURSOR_LENGTH)}.${'A'.repeat(22)}`);
  });

  it.each([
    ['a body that is not JSON', Buffer.from('not json').toString('base64url')],
    ['a JSON array', Buffer.from('[1,2]').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
    ['a missing list', Buffer.from('{"sort":"id","values":[1]}').toString('base64url')],
    ['no values', Buffer.from('{"list":"u","sort":"id","values":[]}').toString('base64url')],
    ['a null value', Buffer.from('{"list":"u","sort":"id","values":[null]}').toString('base64url')],
    [
      'an object value',
      Buffer.from('{"list":"u","sort":"id","values":[{}]}').toString('base64url'),
    ],
  ])('rejects a correctly signed cursor with %s', (_label, body) => {
    expectRejected(signed(body));
  });

  it('ignores extra payload properties rather than passing them on', () => {
    const body = Buffer.from(JSON.stringify({ ...payload, admin: true })).toString('base64url');
    expect(codec.decode(signed(body))).toEqual(payload);
  });
});
