import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { lookUpAll } from './lookups.js';

/** Lookups that record how many of them ran at once. */
function tracked() {
  let running = 0;
  let peak = 0;
  const lookup =
    <T>(value: T) =>
    async (): Promise<T> => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return value;
    };
  return { lookup, peak: () => peak };
}

describe('lookUpAll', () => {
  it('runs the lookups in parallel outside a transaction', async () => {
    const { lookup, peak } = tracked();
    expect(await lookUpAll(undefined, [lookup(1), lookup('two'), lookup(true)])).toEqual([
      1,
      'two',
      true,
    ]);
    expect(peak()).toBe(3);
  });

  it('runs them one at a time, in order, on a transaction', async () => {
    const { lookup, peak } = tracked();
    const manager = {} as EntityManager;
    expect(await lookUpAll(manager, [lookup(1), lookup('two'), lookup(true)])).toEqual([
      1,
      'two',
      true,
    ]);
    expect(peak()).toBe(1);
  });
});
