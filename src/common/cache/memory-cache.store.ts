import type { CacheStore } from './cache-store.js';

interface Entry {
  value: string;
  expiresAt: number;
  /** UTF-8 size of key and value, counted against `maxBytes`. */
  bytes: number;
}

/**
 * Per-process store with least-recently-used eviction beyond `maxEntries` or `maxBytes`, so
 * memory stays bounded however many distinct keys are requested and however large the values
 * (10,000 entries of megabyte-sized articles would otherwise outgrow the process's heap limit).
 * Only coherent within one process: several instances need the Redis store.
 */
export class MemoryCacheStore implements CacheStore {
  // A Map iterates in insertion order; re-inserting on every read keeps the oldest use first.
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {}

  /** UTF-8 bytes of the keys and values held. */
  get sizeInBytes(): number {
    return this.bytes;
  }

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
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  private write(key: string, value: string, ttlSeconds: number): void {
    this.remove(key);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    // A value larger than the whole budget would only evict everything else: not kept.
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      this.remove(this.entries.keys().next().value!);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
