import { Global, Module } from '@nestjs/common';
import { CacheService } from './cache.service.js';

/** Provides {@link CacheService} to every module (Redis-backed when REDIS_URL is set). */
@Global()
@Module({
  providers: [CacheService],
  exports: [CacheService],
})
export class CacheModule {}
