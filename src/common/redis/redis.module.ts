import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../../config/app.config.js';

/** Injection token of the shared Redis client; `null` when REDIS_URL is not set. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export type RedisClient = Redis | null;

/** Provides the optional Redis connection shared by rate limiting and caches. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RedisClient => {
        if (!config.redisUrl) return null;
        const redis = new Redis(config.redisUrl, {
          maxRetriesPerRequest: 2,
          enableOfflineQueue: true,
          // An unreachable Redis must cost a request at most this long (rate limiting then
          // fails open), not the minutes a dead TCP peer can take to notice.
          connectTimeout: 2000,
          commandTimeout: 500,
        });
        // ioredis reconnects by itself; without a listener it prints every failure to stderr.
        const logger = new Logger('Redis');
        redis.on('error', (error: Error) => logger.warn(`redis unavailable: ${error.message}`));
        return redis;
      },
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    // QUIT would wait in the offline queue while Redis is unreachable, delaying the shutdown.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    else this.redis.disconnect();
  }
}
