import { describe, expect, it } from '@jest/globals';
import { containsLoneSurrogate, exceedsJsonDepth } from './json-body-rules.js';

describe('exceedsJsonDepth', () => {
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  it.each([
    ['a flat object', '{"a":1}', 1],
    ['objects exactly at the limit', nested(3), 3],
    ['arrays exactly at the limit', '[[[]]]', 3],
    ['a real RealWorld body', '{"article":{"title":"t","tagList":["a","b"]}}', 3],
    ['siblings, which do not add up', '{"a":{"b":1},"c":{"d":1},"e":[[1],[2]]}', 3],
    ['brackets inside strings', '{"a":"[[[[{{{{"}', 1],
    ['escaped quotes inside strings', '{"a":"\\"[[[[\\\\"}', 1],
    ['a scalar', '"[[[["', 0],
  ])('accepts %s', (_label, text, depth) => {
    expect(exceedsJsonDepth(text, depth)).toBe(false);
  });

  it.each([
    ['objects one level too deep', nested(4), 3],
    ['arrays one level too deep', '[[[[]]]]', 3],
    ['mixed objects and arrays', '{"a":[{"b":[1]}]}', 3],
    ['very deep nesting', '['.repeat(100_000) + ']'.repeat(100_000), 32],
    ['brackets after an escaped backslash closing a string', '{"a":"\\\\",[[[1]]]}', 3],
  ])('rejects %s', (_label, text, depth) => {
    expect(exceedsJsonDepth(text, depth)).toBe(true);
  });
});

describe('containsLoneSurrogate', () => {
  it.each([
    ['ASCII', { a: 'plain', b: ['x'] }],
    ['a surrogate pair (emoji)', { body: JSON.parse('"\\ud83d\\ude00"') }],
    ['astral letters', { title: '𝕮𝖔𝖓𝖉𝖚𝖎𝖙' }],
    ['scalars and null', [1, true, null]],
  ])('accepts %s', (_label, value) => {
    expect(containsLoneSurrogate(value)).toBe(false);
  });

  it.each([
    ['a lone high surrogate in a value', { user: { bio: JSON.parse('"a\\ud800b"') } }],
    ['a lone low surrogate in an array', { tagList: ['ok', JSON.parse('"\\udfff"')] }],
    ['a lone surrogate in a key', JSON.parse('{"\\ud800":1}')],
    ['reversed pair halves', JSON.parse('"\\ude00\\ud83d"')],
  ])('rejects %s', (_label, value) => {
    expect(containsLoneSurrogate(value)).toBe(true);
  });
});
