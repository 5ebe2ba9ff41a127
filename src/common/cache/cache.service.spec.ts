import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app.config.js';
import type { CacheStore } from './cache-store.js';
import { CacheService } from './cache.service.js';
import { MemoryCacheStore } from './memory-cache.store.js';

const config = (ttlSeconds = 60) =>
  ({ cache: { ttlSeconds, maxEntries: 100, keyPrefix: 'cache:' } }) as AppConfig;

/** A memory store that can be switched off, as Redis can go away. */
class FlakyStore implements CacheStore {
  readonly inner = new MemoryCacheStore(1000);
  down = false;
  calls = 0;

  getMany(keys: readonly string[]) {
    return this.guard(() => this.inner.getMany(keys));
  }
  set(key: string, value: string, ttl: number) {
    return this.guard(() => this.inner.set(key, value, ttl));
  }
  setIfAbsent(key: string, value: string, ttl: number) {
    return this.guard(() => this.inner.setIfAbsent(key, value, ttl));
  }
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    this.calls += 1;
    if (this.down) throw new Error('store down');
    return operation();
  }
}

/** A loader counting its calls and returning a value that changes on each. */
const counter = () => {
  let loads = 0;
  return {
    load: async () => ({ version: ++loads }),
    get loads() {
      return loads;
    },
  };
};

describe('CacheService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('loads once and then serves the cached value', async () => {
    const cache = new CacheService(config(), null, new FlakyStore());
    const source = counter();
    expect(await cache.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 1 });
    expect(await cache.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 1 });
    expect(source.loads).toBe(1);
  });

  it('loads again after any namespace the entry depends on is invalidated', async () => {
    const cache = new CacheService(config(), null, new FlakyStore());
    const source = counter();
    await cache.getOrLoad('k', ['a', 'b'], source.load);
    await cache.invalidate('b');
    expect(await cache.getOrLoad('k', ['a', 'b'], source.load)).toEqual({ version: 2 });
    await cache.invalidate('a');
    expect(await cache.getOrLoad('k', ['a', 'b'], source.load)).toEqual({ version: 3 });
    await cache.invalidate('unrelated');
    expect(await cache.getOrLoad('k', ['a', 'b'], source.load)).toEqual({ version: 3 });
  });

  it('shares entries and invalidations between services on one store (two instances)', async () => {
    const store = new FlakyStore();
    const first = new CacheService(config(), null, store);
    const second = new CacheService(config(), null, store);
    const source = counter();
    await first.getOrLoad('k', ['ns'], source.load);
    expect(await second.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 1 });
    await second.invalidate('ns');
    expect(await first.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 2 });
  });

  it('does not serve old entries when a generation expired and was started anew', async () => {
    const store = new FlakyStore();
    const cache = new CacheService(config(), null, store);
    const source = counter();
    await cache.getOrLoad('k', ['ns'], source.load);
    await store.inner.set('gen:ns', 'x', 0); // expired at once, as if evicted
    expect(await cache.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 2 });
  });

  it('does not cache a failing load', async () => {
    const cache = new CacheService(config(), null, new FlakyStore());
    await expect(
      cache.getOrLoad('k', ['ns'], () => Promise.reject(new Error('not found'))),
    ).rejects.toThrow('not found');
    expect(await cache.getOrLoad('k', ['ns'], async () => 'found')).toBe('found');
  });

  it('never touches a store when the TTL is 0', async () => {
    const store = new FlakyStore();
    const cache = new CacheService(config(0), null, store);
    const source = counter();
    await cache.getOrLoad('k', ['ns'], source.load);
    await cache.getOrLoad('k', ['ns'], source.load);
    await cache.invalidate('ns');
    expect(source.loads).toBe(2);
    expect(store.calls).toBe(0);
    expect(cache.enabled).toBe(false);
  });

  it('reads from the source while the store is down', async () => {
    const store = new FlakyStore();
    const cache = new CacheService(config(), null, store);
    const source = counter();
    store.down = true;
    expect(await cache.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 1 });
    expect(await cache.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 2 });
    await expect(cache.invalidate('ns')).resolves.toBeUndefined();
    cache.onModuleDestroy();
  });

  it('bypasses the cache for a namespace whose invalidation failed until it is stored', async () => {
    const store = new FlakyStore();
    const cache = new CacheService(config(), null, store);
    const source = counter();
    await cache.getOrLoad('k', ['ns'], source.load); // cached: version 1
    store.down = true;
    await cache.invalidate('ns'); // the write happened, its invalidation did not reach the store
    store.down = false;
    // The stale version 1 is still in the store under the old generation: it must not be read.
    expect(await cache.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 2 });
    expect(await cache.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 2 });
    expect(source.loads).toBe(2);
    cache.onModuleDestroy();
  });

  it('retries a failed invalidation in the background, so other instances stop reading stale entries', async () => {
    const store = new FlakyStore();
    const writer = new CacheService(config(), null, store);
    const reader = new CacheService(config(), null, store);
    const source = counter();
    await reader.getOrLoad('k', ['ns'], source.load);
    store.down = true;
    await writer.invalidate('ns');
    store.down = false;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await reader.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 2 });
    writer.onModuleDestroy();
  });

  it('returns copies: a caller mutating a value does not change the cached one', async () => {
    const cache = new CacheService(config(), null, new FlakyStore());
    const first = await cache.getOrLoad('k', ['ns'], async () => ({ list: [1] }));
    first.list.push(2);
    expect(await cache.getOrLoad('k', ['ns'], async () => ({ list: [9] }))).toEqual({ list: [1] });
  });

  it('renews every generation after the connection to the store was lost', async () => {
    const store = new FlakyStore();
    let disconnect = () => undefined as void;
    (store as CacheStore).onDisconnect = (listener) => (disconnect = listener);
    const reader = new CacheService(config(), null, store);
    const source = counter();
    await reader.getOrLoad('k', ['ns'], source.load);
    // Another instance wrote while the store was down; its invalidation was lost.
    store.down = true;
    disconnect();
    store.down = false;
    expect(await reader.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 2 });
    expect(await reader.getOrLoad('k', ['ns'], source.load)).toEqual({ version: 2 });
    reader.onModuleDestroy();
  });
});
