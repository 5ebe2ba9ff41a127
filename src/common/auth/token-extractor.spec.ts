import { describe, expect, it } from '@jest/globals';
import { extractAccessToken } from './token-extractor.js';

describe('extractAccessToken', () => {
  it.each([
    ['Token abc.def.ghi', 'abc.def.ghi'],
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['TOKEN abc.def.ghi', 'abc.def.ghi'],
    ['  Bearer   abc.def.ghi  ', 'abc.def.ghi'],
  ])('reads the token from %j', (header, token) => {
    expect(extractAccessToken(header)).toBe(token);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a scheme alone', 'Bearer'],
    ['a scheme with blanks only', 'Token    '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a bare token', 'abc.def.ghi'],
    ['two tokens', 'Bearer abc def'],
    ['a scheme glued to the token', 'Bearerabc.def.ghi'],
  ])('returns null for %s', (_label, header) => {
    expect(extractAccessToken(header)).toBeNull();
  });

  it('returns null when the header is repeated (an array)', () => {
    expect(extractAccessToken(['Bearer a', 'Bearer b'])).toBeNull();
  });
});
