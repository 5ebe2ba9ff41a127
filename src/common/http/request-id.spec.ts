import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { generateRequestId } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const incoming = (header?: string | string[]) =>
  ({ headers: header === undefined ? {} : { 'x-request-id': header } }) as IncomingMessage & {
    id?: string;
  };

describe('generateRequestId', () => {
  it.each(['abc', 'trace-1.2:3_4', 'A'.repeat(128), '0f8fad5b-d9cb-469f-a165-70867728950e'])(
    'keeps the sane incoming id %j',
    (id) => {
      expect(generateRequestId(incoming(id))).toBe(id);
    },
  );

  it.each([
    ['empty', ''],
    ['too long', 'A'.repeat(129)],
    ['with spaces', 'a b'],
    ['with a newline', 'a\nb'],
    ['with markup', '<b>'],
    ['with a slash', 'a/b'],
  ])('replaces an incoming id that is %s with a UUID', (_label, id) => {
    expect(generateRequestId(incoming(id))).toMatch(UUID);
  });

  it('generates a UUID when there is no incoming id', () => {
    expect(generateRequestId(incoming())).toMatch(UUID);
  });

  it('ignores a repeated header', () => {
    expect(generateRequestId(incoming(['a', 'b']))).toMatch(UUID);
  });

  it('generates a new id every time', () => {
    expect(generateRequestId(incoming())).not.toBe(generateRequestId(incoming()));
  });
});
