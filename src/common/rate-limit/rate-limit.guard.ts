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
  type RateLimitStore,
} from './rate-limit.store.js';

/** Buckets with their own budget: `auth` protects credential endpoints from guessing. */
export type RateLimitBucket = 'default' | 'auth' | 'none';
const RATE_LIMIT_KEY = 'rate-limit:bucket';

/** Puts a route in a stricter bucket (`auth`) or exempts it (`none`, e.g. health probes). */
export const RateLimit = (bucket: RateLimitBucket) => SetMetadata(RATE_LIMIT_KEY, bucket);

/** Global guard counting requests per client IP and bucket; over the budget → 429. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private readonly store: RateLimitStore;

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) redis: RedisClient,
  ) {
    this.store = redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const bucket =
      this.reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'default';
    if (bucket === 'none') return true;

    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const limit = bucket === 'auth' ? this.config.rateLimit.authMax : this.config.rateLimit.max;
    let hit;
    try {
      hit = await this.store.hit(`${bucket}:${request.ip}`, this.config.rateLimit.windowSeconds);
    } catch (error) {
      // A cache outage must not take the API down: fail open and say so in the log.
      this.logger.warn({ err: error }, 'rate limit store unavailable; request allowed');
      return true;
    }
    void http.getResponse<FastifyReply>().headers({
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': String(Math.max(0, limit - hit.count)),
      'ratelimit-reset': String(hit.resetSeconds),
    });
    if (hit.count > limit) throw new RateLimitedError(hit.resetSeconds);
    return true;
  }
}
