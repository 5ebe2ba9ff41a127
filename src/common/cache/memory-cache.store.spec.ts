import { describe, expect, it } from '@jest/globals';
import { MemoryCacheStore } from './memory-cache.store.js';

describe('MemoryCacheStore', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('returns what was set and undefined for absent keys, in the order asked', async () => {
    const store = new MemoryCacheStore(10);
    await store.set('a', '1', 60);
    await store.set('b', '2', 60);
    expect(await store.getMany(['b', 'missing', 'a'])).toEqual(['2', undefined, '1']);
  });

  it('replaces a value on set', async () => {
    const store = new MemoryCacheStore(10);
    await store.set('a', 'old', 60);
    await store.set('a', 'new', 60);
    expect(await store.getMany(['a'])).toEqual(['new']);
  });

  it('forgets an entry once its time to live has passed', async () => {
    const time = clock();
    const store = new MemoryCacheStore(10, Infinity, time.now);
    await store.set('a', '1', 60);
    time.advance(59_999);
    expect(await store.getMany(['a'])).toEqual(['1']);
    time.advance(1);
    expect(await store.getMany(['a'])).toEqual([undefined]);
    expect(store.size).toBe(0);
  });

  it('sets only absent (or expired) keys with setIfAbsent', async () => {
    const time = clock();
    const store = new MemoryCacheStore(10, Infinity, time.now);
    expect(await store.setIfAbsent('a', 'first', 10)).toBe(true);
    expect(await store.setIfAbsent('a', 'second', 10)).toBe(false);
    expect(await store.getMany(['a'])).toEqual(['first']);
    time.advance(10_000);
    expect(await store.setIfAbsent('a', 'third', 10)).toBe(true);
    expect(await store.getMany(['a'])).toEqual(['third']);
  });

  it('never holds more than maxEntries, evicting the least recently used', async () => {
    const store = new MemoryCacheStore(3);
    await store.set('a', '1', 60);
    await store.set('b', '2', 60);
    await store.set('c', '3', 60);
    await store.getMany(['a']); // a is now the most recently used
    await store.set('d', '4', 60);
    expect(store.size).toBe(3);
    expect(await store.getMany(['a', 'b', 'c', 'd'])).toEqual(['1', undefined, '3', '4']);
    for (let index = 0; index < 1000; index += 1) await store.set(`k${index}`, 'v', 60);
    expect(store.size).toBe(3);
  });

  it('never holds more than maxBytes of keys and values, evicting the least recently used', async () => {
    const store = new MemoryCacheStore(1000, 30);
    await store.set('a', 'x'.repeat(9), 60); // 10 bytes
    await store.set('b', 'é'.repeat(4), 60); // 1 + 8 bytes in UTF-8
    await store.set('c', 'x'.repeat(9), 60);
    expect(store.sizeInBytes).toBe(29);
    await store.getMany(['a']);
    await store.set('d', 'x', 60); // 2 bytes: b, the least recently used, goes
    expect(await store.getMany(['a', 'b', 'c', 'd'])).toEqual([
      'x'.repeat(9),
      undefined,
      'x'.repeat(9),
      'x',
    ]);
    expect(store.sizeInBytes).toBe(22);
    await store.set('a', 'y', 60); // replacing a value gives its bytes back
    expect(store.sizeInBytes).toBe(14);
  });

  it('does not keep a value larger than the whole byte budget, nor evict for it', async () => {
    const store = new MemoryCacheStore(1000, 30);
    await store.set('a', '1', 60);
    await store.set('big', 'x'.repeat(100), 60);
    expect(await store.getMany(['a', 'big'])).toEqual(['1', undefined]);
    expect(store.sizeInBytes).toBe(2);
  });
});
