import { Global, Module } from '@nestjs/common';
import { RateLimiter } from './rate-limiter.js';

/** Provides the one {@link RateLimiter} (and its counters) to the guard and every module. */
@Global()
@Module({
  providers: [RateLimiter],
  exports: [RateLimiter],
})
export class RateLimitModule {}
