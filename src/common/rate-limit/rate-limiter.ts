import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app.config.js';
import { RateLimitedError } from '../errors/domain-errors.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.module.js';
import {
  MemoryRateLimitStore,
  RedisRateLimitStore,
  type RateLimitHit,
  type RateLimitStore,
} from './rate-limit.store.js';

/** One budget: at most `limit` events per window under `key`. */
export interface Budget {
  key: string;
  limit: number;
}

/** Where the RateLimit-* headers go (a FastifyReply). */
export interface HeaderSink {
  headers(values: Record<string, string>): unknown;
}

interface BudgetState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * The counters behind every rate limit: the global guard's per-address buckets and the budgets
 * services consume once they know more than the guard (the caller's account, the login
 * outcome). One store per process, in Redis when REDIS_URL is set, so every budget is shared by
 * all instances. A store outage fails open (logged): it must not take the API down.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly store: RateLimitStore;
  readonly windowSeconds: number;

  constructor(config: AppConfig, @Inject(REDIS_CLIENT) redis: RedisClient) {
    this.store = redis
      ? new RedisRateLimitStore(redis, config.rateLimit.keyPrefix)
      : new MemoryRateLimitStore();
    this.windowSeconds = config.rateLimit.windowSeconds;
  }

  /**
   * Counts one event against every budget; throws RateLimitedError (429, Retry-After) when one
   * is spent. With a reply, describes the binding budget in the RateLimit-* headers.
   */
  async consume(budgets: Budget[], reply?: HeaderSink): Promise<void> {
    let hits: RateLimitHit[];
    try {
      hits = await Promise.all(
        budgets.map((budget) => this.store.hit(budget.key, this.windowSeconds)),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limit store unavailable; request allowed');
      return;
    }
    const binding = bindingBudget(
      budgets.map((budget, index) => ({
        limit: budget.limit,
        remaining: budget.limit - hits[index].count,
        resetSeconds: hits[index].resetSeconds,
      })),
    );
    reply?.headers({
      'ratelimit-limit': String(binding.limit),
      'ratelimit-remaining': String(Math.max(0, binding.remaining)),
      'ratelimit-reset': String(binding.resetSeconds),
    });
    if (binding.remaining < 0) throw new RateLimitedError(binding.resetSeconds);
  }

  /**
   * Counts one event under `key` and returns the window's count, or undefined when the store is
   * unreachable (the caller then lets the request through).
   */
  async hit(key: string): Promise<RateLimitHit | undefined> {
    try {
      return await this.store.hit(key, this.windowSeconds);
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limit store unavailable; request allowed');
      return undefined;
    }
  }

  /** Takes back one count of `key` (an attempt that turned out legitimate). */
  async release(key: string): Promise<void> {
    try {
      await this.store.release(key);
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limit store unavailable; count not released');
    }
  }
}

/**
 * The budget the headers describe: of those already spent, the one that frees up last (that is
 * when a retry can succeed); otherwise the one closest to running out.
 */
function bindingBudget(budgets: BudgetState[]): BudgetState {
  const spent = budgets.filter((budget) => budget.remaining < 0);
  if (spent.length > 0)
    return spent.reduce((last, next) => (next.resetSeconds > last.resetSeconds ? next : last));
  return budgets.reduce((tightest, next) =>
    next.remaining < tightest.remaining ? next : tightest,
  );
}

/** A stable, fixed-length key for an account name (email); the raw email never reaches the store. */
export function accountKey(account: unknown): string | undefined {
  if (typeof account !== 'string') return undefined;
  const normalised = account.trim().toLowerCase();
  if (!normalised) return undefined;
  return createHash('sha256').update(normalised).digest('base64url');
}
