import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { ServiceUnavailableError } from '../../common/errors/domain-errors.js';

/** argon2id with OWASP-recommended parameters (19 MiB, 2 iterations, 1 lane). */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** How much argon2 work runs at once, and how long a caller may queue for a turn. */
export interface HashingLimits {
  concurrency: number;
  maxWaitMs: number;
}

const DEFAULT_LIMITS: HashingLimits = { concurrency: 4, maxWaitMs: 2000 };

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

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    const against = hash ?? (await this.dummy());
    return this.inSlot(async () => {
      try {
        return await argon2.verify(against, password);
      } catch {
        return false;
      }
    });
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
