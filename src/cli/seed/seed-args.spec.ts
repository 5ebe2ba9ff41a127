import { describe, expect, it } from '@jest/globals';
import { parseCount, parseSeedArgs, SeedArgsError } from './seed-args.js';

describe('parseSeedArgs', () => {
  it('returns no data plan without data flags, so only the administrator is seeded', () => {
    expect(parseSeedArgs([])).toEqual({ data: undefined, reset: false, help: false });
  });

  it('reads counts given as separate or inline values, with k and m suffixes', () => {
    const { data } = parseSeedArgs(['--users', '10k', '--articles=100k', '--comments', '1.5m']);
    expect(data).toMatchObject({ users: 10_000, articles: 100_000, comments: 1_500_000 });
  });

  it('defaults favorites to twice the articles, 100 tags, 5 follows per user and seed 42', () => {
    const { data } = parseSeedArgs(['--users', '1000', '--articles', '500']);
    expect(data).toEqual({
      users: 1000,
      articles: 500,
      comments: 0,
      favorites: 1000,
      tags: 100,
      followsPerUser: 5,
      randomSeed: 42,
    });
  });

  it('caps default favorites at half of all user/article pairs and follows at the other users', () => {
    const { data } = parseSeedArgs(['--users', '2', '--articles', '3']);
    expect(data).toMatchObject({ favorites: 3, followsPerUser: 1 });
  });

  it('recognises --reset and --help', () => {
    expect(parseSeedArgs(['--reset', '--users', '1'])).toMatchObject({ reset: true });
    expect(parseSeedArgs(['-h']).help).toBe(true);
  });

  it.each([
    [['--users'], '--users needs a count'],
    [['--users', 'ten'], '--users needs a count'],
    [['--users', '-5'], '--users needs a count'],
    [['--users', '1.5'], '--users must be a whole number'],
    [['--users', '1', '--users', '2'], '--users given twice'],
    [['--articles', '10'], '--users must be at least 1'],
    [['--users', '5', '--comments', '10'], '--comments needs --articles'],
    [['--users', '2', '--articles', '2', '--favorites', '5'], '--favorites cannot exceed'],
    [['--users', '2', '--tags', '0'], '--tags must be at least 1'],
    [['--posts', '3'], 'unknown flag --posts'],
    [['users'], 'unexpected argument "users"'],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(() => parseSeedArgs(argv)).toThrow(SeedArgsError);
    expect(() => parseSeedArgs(argv)).toThrow(message);
  });
});

describe('parseCount', () => {
  it('refuses absurd sizes', () => {
    expect(() => parseCount('users', '1000m')).toThrow('must not exceed');
    expect(parseCount('users', '0')).toBe(0);
  });
});
