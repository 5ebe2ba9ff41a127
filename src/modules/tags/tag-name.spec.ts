import { describe, expect, it } from '@jest/globals';
import { hasInvisibleCharacters, normalizeTag } from './tag-name.js';

describe('normalizeTag', () => {
  it.each([
    ['Dragons', 'dragons'],
    ['  dragons  ', 'dragons'],
    ['ＤＲＡＧＯＮＳ', 'dragons'],
    ['ﬁre', 'fire'],
    ['Straße', 'strasse'],
    ['STRASSE', 'strasse'],
    ['ΟΔΟΣ', 'οδος'],
    ['οδοσ', 'οδος'],
    ['e\u0301cole', 'école'],
    ['machine learning', 'machine learning'],
    ['\u00a0nbsp\u3000', 'nbsp'],
  ])('makes %j into %j', (raw, normalized) => {
    expect(normalizeTag(raw)).toBe(normalized);
  });

  it('is idempotent', () => {
    for (const raw of ['Dragons', 'ＤＲＡＧＯＮＳ', 'Straße', 'İstanbul', 'ǅ']) {
      expect(normalizeTag(normalizeTag(raw))).toBe(normalizeTag(raw));
    }
  });
});

describe('hasInvisibleCharacters', () => {
  it.each([
    ['a zero-width space', 'drag\u200bons'],
    ['a zero-width joiner', 'drag\u200dons'],
    ['a right-to-left override', '\u202Esnogard'],
    ['a left-to-right isolate', '\u2066dragons\u2069'],
    ['a right-to-left mark', 'dragons\u200f'],
    ['a byte-order mark', '\ufeffdragons'],
    ['a soft hyphen', 'drag\u00adons'],
    ['a Hangul filler', '\u3164'],
    ['a tab', 'a\tb'],
    ['a line separator', 'a\u2028b'],
    ['a variation selector', 'a\ufe0f'],
    ['a private-use character', 'a\ue000'],
  ])('finds %s', (_label, name) => {
    expect(hasInvisibleCharacters(name)).toBe(true);
  });

  it.each(['dragons', 'machine learning', 'c++', 'école', '日本語', 'emoji 🐉'])(
    'accepts %j',
    (name) => {
      expect(hasInvisibleCharacters(name)).toBe(false);
    },
  );
});
