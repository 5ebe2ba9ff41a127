import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app.config.js';
import { RouteMetadata } from '../http/route-metadata.js';
import { RateLimiter } from './rate-limiter.js';

/** Buckets with their own budget: `auth` protects credential endpoints from guessing. */
export type RateLimitBucket = 'default' | 'auth' | 'none';
const RATE_LIMIT_KEY = 'rate-limit:bucket';

/** Puts a route in a stricter bucket (`auth`) or exempts it (`none`, e.g. health probes). */
export const RateLimit = (bucket: RateLimitBucket) => SetMetadata(RATE_LIMIT_KEY, bucket);

/** The key of a client address's budget in a bucket (shared with services that add to it). */
export const bucketKey = (bucket: 'default' | 'auth', ip: string) => `${bucket}:${ip}`;

/**
 * Global guard counting requests per client IP and bucket; over the budget → 429 with
 * Retry-After. Budgets that need the caller or the outcome (per account, failed logins) are
 * consumed by the services through {@link RateLimiter}.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly buckets: RouteMetadata<RateLimitBucket>;

  constructor(
    reflector: Reflector,
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
  ) {
    this.buckets = new RouteMetadata(reflector, RATE_LIMIT_KEY);
  }

  // Not async: an exempt route gets its answer without a promise (Nest skips the await).
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const bucket = this.buckets.of(context) ?? 'default';
    if (bucket === 'none') return true;
    return this.consume(context, bucket);
  }

  private async consume(context: ExecutionContext, bucket: 'default' | 'auth'): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const { rateLimit } = this.config;
    await this.limiter.consume(
      [
        {
          key: bucketKey(bucket, request.ip),
          limit: bucket === 'auth' ? rateLimit.authMax : rateLimit.max,
        },
      ],
      http.getResponse<FastifyReply>(),
    );
    return true;
  }
}
