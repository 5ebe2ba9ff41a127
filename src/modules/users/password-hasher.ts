import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { ServiceUnavailableError } from '../../common/errors/domain-errors.js';

/**
 * argon2id with one of OWASP's equivalent parameter sets: 7 MiB, 5 iterations, 1 lane (as
 * costly to guess as 19 MiB × 2). The smaller block matters to a server: glibc keeps each
 * libuv thread's last argon2 block, so 4 slots of 19 MiB held ~50 MiB more resident memory
 * than 4 of 7 MiB, and a check is faster here too (16 vs 22 ms, less memory traffic). Hashes
 * made with other parameters still verify and are upgraded at the next login.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 7_168, timeCost: 5, parallelism: 1 } as const;

/** How much argon2 work runs at once, and how long a caller may queue for a turn. */
export interface HashingLimits {
  concurrency: number;
  maxWaitMs: number;
}

const DEFAULT_LIMITS: HashingLimits = { concurrency: 4, maxWaitMs: 2000 };

/** Prefix no argon2 hash starts with: marks an account that has no password (yet). */
const UNUSABLE_PREFIX = '!';

/**
 * Hashes and verifies passwords. Every argon2 computation takes one of a fixed number of slots
 * (PASSWORD_HASH_CONCURRENCY per process): a burst of password work queues instead of
 * saturating the thread pool and the CPU, and a caller that cannot get a slot within
 * PASSWORD_HASH_MAX_WAIT_MS gets 503 with Retry-After instead of waiting without bound. The
 * per-account and per-address budgets in front of every caller keep one client from filling
 * the queue.
 */
export class PasswordHasher {
  // Verifying against this when the user does not exist costs the same time as a real check,
  // so login timing does not reveal which emails are registered.
  private dummyHash?: Promise<string>;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limits: HashingLimits = DEFAULT_LIMITS) {}

  hash(password: string): Promise<string> {
    return this.inSlot(() => argon2.hash(password, OPTIONS));
  }

  /**
   * A stored value that no password matches, for accounts created by single sign-on. It is
   * random so that two such accounts never share a hash.
   */
  unusable(): string {
    return `${UNUSABLE_PREFIX}${randomBytes(16).toString('hex')}`;
  }

  /** False for {@link unusable} values: the account cannot log in with a password. */
  isUsable(hash: string | undefined | null): hash is string {
    return typeof hash === 'string' && !hash.startsWith(UNUSABLE_PREFIX);
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    // An unusable hash (single-sign-on account) is checked like an unknown user's: against the
    // dummy hash, at the same cost, and the answer is always false.
    const usable = hash === undefined || this.isUsable(hash);
    const against = usable && hash !== undefined ? hash : await this.dummy();
    return this.inSlot(async () => {
      try {
        return (await argon2.verify(against, password)) && usable;
      } catch {
        return false;
      }
    });
  }

  /**
   * True for a usable hash made with other parameters than {@link hash} uses now: the caller,
   * holding the right password, should store a fresh hash of it.
   */
  needsRehash(hash: string): boolean {
    if (!this.isUsable(hash)) return false;
    try {
      return argon2.needsRehash(hash, OPTIONS);
    } catch {
      return false; // not an argon2 hash at all: verify() already refuses it
    }
  }

  /**
   * A fresh hash of `password` (already verified against `hash`) when `hash` was made with
   * outdated parameters; undefined when it is current, or when no slot is free in time: the
   * upgrade then waits for the next login instead of failing this one.
   */
  async rehashIfOutdated(hash: string, password: string): Promise<string | undefined> {
    if (!this.needsRehash(hash)) return undefined;
    try {
      return await this.hash(password);
    } catch (error) {
      if (error instanceof ServiceUnavailableError) return undefined;
      throw error;
    }
  }

  /** How many computations are running and queued (for tests and diagnostics). */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex')).catch((error: unknown) => {
      this.dummyHash = undefined; // e.g. no slot in time: try again next call
      throw error;
    });
    return this.dummyHash;
  }

  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.releaseSlot();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limits.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new ServiceUnavailableError('the server is busy; retry in a moment', 1));
      }, this.limits.maxWaitMs);
      this.waiting.push(grant);
    });
  }

  private releaseSlot(): void {
    // The slot passes straight to the next waiter, so `active` never exceeds the limit.
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}
