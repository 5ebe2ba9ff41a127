import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.js';
import { EnvReader } from './env-reader.js';

const reader = (env: Record<string, string | undefined>) => new EnvReader(env);

describe('EnvReader', () => {
  it('treats unset, empty and blank values as missing', () => {
    expect(reader({ A: '', B: '   ' }).optional('A')).toBeUndefined();
    expect(reader({ A: '', B: '   ' }).optional('B')).toBeUndefined();
    expect(reader({}).string('C', 'fallback')).toBe('fallback');
  });

  it('trims values', () => {
    expect(reader({ HOST: ' 0.0.0.0 ' }).string('HOST', 'x')).toBe('0.0.0.0');
  });

  describe('integer', () => {
    const range = { min: 1, max: 10 };

    it('parses integers within range', () => {
      expect(reader({ N: '7' }).integer('N', 1, range)).toBe(7);
      expect(reader({}).integer('N', 3, range)).toBe(3);
    });

    it.each(['abc', '1.5', '1e3', '0x10', '7 apples'])('rejects %j naming the variable', (raw) => {
      expect(() => reader({ N: raw }).integer('N', 1, range)).toThrow(
        new ConfigError('N', `must be an integer, got "${raw}"`),
      );
    });

    it.each(['0', '11', '-3'])('rejects %s outside the range', (raw) => {
      expect(() => reader({ N: raw }).integer('N', 1, range)).toThrow(/N must be between 1 and 10/);
    });
  });

  describe('boolean', () => {
    it.each([
      ['true', true],
      ['1', true],
      ['YES', true],
      ['false', false],
      ['0', false],
      ['No', false],
    ])('reads %s as %s', (raw, value) => {
      expect(reader({ B: raw }).boolean('B', !value)).toBe(value);
    });

    it('rejects anything else', () => {
      expect(() => reader({ B: 'maybe' }).boolean('B', false)).toThrow(
        'Invalid configuration: B must be true or false, got "maybe"',
      );
    });
  });

  it('accepts only listed values in oneOf', () => {
    expect(reader({ E: 'b' }).oneOf('E', ['a', 'b'], 'a')).toBe('b');
    expect(() => reader({ E: 'c' }).oneOf('E', ['a', 'b'], 'a')).toThrow('E must be one of a, b');
  });

  describe('url', () => {
    it('accepts a URL with an allowed protocol', () => {
      expect(reader({ U: 'redis://localhost:6379' }).url('U', ['redis:'])).toBe(
        'redis://localhost:6379',
      );
    });

    it('rejects an unparseable URL', () => {
      expect(() => reader({ U: 'not a url' }).url('U', ['redis:'])).toThrow(
        'U must be a valid URL',
      );
    });

    it('rejects another protocol', () => {
      expect(() => reader({ U: 'http://x' }).url('U', ['redis:', 'rediss:'])).toThrow(
        'U must use one of redis:, rediss:',
      );
    });
  });
});
