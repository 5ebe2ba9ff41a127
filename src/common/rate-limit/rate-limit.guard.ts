import { createHash } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app.config.js';
import { RateLimitedError } from '../errors/domain-errors.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.module.js';
import {
  MemoryRateLimitStore,
  RedisRateLimitStore,
  type RateLimitHit,
  type RateLimitStore,
} from './rate-limit.store.js';

/** Buckets with their own budget: `auth` protects credential endpoints from guessing. */
export type RateLimitBucket = 'default' | 'auth' | 'none';
const RATE_LIMIT_KEY = 'rate-limit:bucket';
const ACCOUNT_KEY = 'rate-limit:account';

/** Picks the targeted account (e.g. the email) out of the raw, not yet validated, JSON body. */
export type AccountSelector = (body: unknown) => unknown;

/** Puts a route in a stricter bucket (`auth`) or exempts it (`none`, e.g. health probes). */
export const RateLimit = (bucket: RateLimitBucket) => SetMetadata(RATE_LIMIT_KEY, bucket);

/** Per-account budgets: `login` (RATE_LIMIT_LOGIN_ACCOUNT_MAX), `mail` (RATE_LIMIT_MAIL_ACCOUNT_MAX). */
export type AccountBudget = 'login' | 'mail';

/**
 * Adds a budget per targeted account, on top of the per-address one: password guessing (or
 * mail bombing) spread over many addresses still stops at the account's budget. Each budget
 * counts apart, so asking for reset links does not use up the account's login attempts.
 */
export const RateLimitPerAccount = (accountOf: AccountSelector, budget: AccountBudget = 'login') =>
  SetMetadata(ACCOUNT_KEY, { accountOf, budget });

interface Policy {
  key: string;
  limit: number;
}

/**
 * Global guard counting requests per client IP and bucket, and per account where a route asks
 * for it; over any budget → 429 with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private readonly store: RateLimitStore;

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) redis: RedisClient,
  ) {
    this.store = redis
      ? new RedisRateLimitStore(redis, config.rateLimit.keyPrefix)
      : new MemoryRateLimitStore();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const bucket =
      this.reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_KEY, targets) ??
      'default';
    if (bucket === 'none') return true;

    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const { rateLimit } = this.config;
    const policies: Policy[] = [
      {
        key: `${bucket}:${request.ip}`,
        limit: bucket === 'auth' ? rateLimit.authMax : rateLimit.max,
      },
    ];
    const perAccount = this.reflector.getAllAndOverride<
      { accountOf: AccountSelector; budget: AccountBudget } | undefined
    >(ACCOUNT_KEY, targets);
    // Fastify has parsed the body before Nest's handler (and so this guard) runs; pipes have
    // not validated it yet, so the selector may get any JSON value, or undefined.
    const account = perAccount ? accountKey(perAccount.accountOf(request.body)) : undefined;
    if (account && perAccount?.budget === 'mail')
      policies.push({ key: `account:mail:${account}`, limit: rateLimit.mailAccountMax });
    else if (account)
      policies.push({ key: `account:${account}`, limit: rateLimit.loginAccountMax });

    let hits: RateLimitHit[];
    try {
      hits = await Promise.all(
        policies.map((policy) => this.store.hit(policy.key, rateLimit.windowSeconds)),
      );
    } catch (error) {
      // A cache outage must not take the API down: fail open and say so in the log.
      this.logger.warn({ err: error }, 'rate limit store unavailable; request allowed');
      return true;
    }
    const results: BudgetState[] = policies.map((policy, index) => ({
      limit: policy.limit,
      remaining: policy.limit - hits[index].count,
      resetSeconds: hits[index].resetSeconds,
    }));
    const binding = bindingBudget(results);
    void http.getResponse<FastifyReply>().headers({
      'ratelimit-limit': String(binding.limit),
      'ratelimit-remaining': String(Math.max(0, binding.remaining)),
      'ratelimit-reset': String(binding.resetSeconds),
    });
    if (binding.remaining < 0) throw new RateLimitedError(binding.resetSeconds);
    return true;
  }
}

interface BudgetState {
  limit: number;
  remaining: number;
  resetSeconds: number;
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

/** A stable, fixed-length key for an account name; the raw email never reaches the store. */
function accountKey(account: unknown): string | undefined {
  if (typeof account !== 'string') return undefined;
  const normalised = account.trim().toLowerCase();
  if (!normalised) return undefined;
  return createHash('sha256').update(normalised).digest('base64url');
}
