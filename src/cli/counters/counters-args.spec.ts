import { describe, expect, it } from '@jest/globals';
import { CountersArgsError, parseCountersArgs } from './counters-args.js';

describe('parseCountersArgs', () => {
  it.each([
    [['--verify'], 'verify'],
    [['--repair'], 'repair'],
    [['--help'], 'help'],
    [['-h'], 'help'],
    [['--verify', '--help'], 'help'],
    [['--verify', '--verify'], 'verify'],
  ])('reads %j as %s', (argv, command) => {
    expect(parseCountersArgs(argv)).toBe(command);
  });

  it.each([[[]], [['--verify', '--repair']], [['--fix']], [['verify']]])('rejects %j', (argv) => {
    expect(() => parseCountersArgs(argv)).toThrow(CountersArgsError);
  });
});
