import type { CacheStore } from './cache-store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * Per-process store with least-recently-used eviction beyond `maxEntries`, so memory stays
 * bounded however many distinct keys are requested. Only coherent within one process: several
 * instances need the Redis store.
 */
export class MemoryCacheStore implements CacheStore {
  // A Map iterates in insertion order; re-inserting on every read keeps the oldest use first.
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many entries are held (expired ones included until they are touched or evicted). */
  get size(): number {
    return this.entries.size;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.read(key));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.write(key, value, ttlSeconds);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.read(key) !== undefined) return false;
    this.write(key, value, ttlSeconds);
    return true;
  }

  private read(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  private write(key: string, value: string, ttlSeconds: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}
