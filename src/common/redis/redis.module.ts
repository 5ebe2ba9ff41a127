import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app.config.js';
import { RedisCircuitBreaker } from './redis-circuit-breaker.js';

/** Injection token of the shared Redis client; `null` when REDIS_URL is not set. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export type RedisClient = Redis | null;
/**
 * Injection token of the {@link RedisCircuitBreaker} every Redis command goes through; `null`
 * when REDIS_URL is not set.
 */
export const REDIS_BREAKER = Symbol('REDIS_BREAKER');
export type OptionalRedisBreaker = RedisCircuitBreaker | null;

/** Provides the optional Redis connection shared by rate limiting and caches. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<RedisClient> => {
        if (!config.redisUrl) return null;
        // Loaded only when configured: an instance without Redis never holds the client library.
        const { Redis } = await import('ioredis');
        const redis = new Redis(config.redisUrl, {
          maxRetriesPerRequest: 2,
          enableOfflineQueue: true,
          // An unreachable Redis must cost a request at most this long (rate limiting then
          // fails open), not the minutes a dead TCP peer can take to notice.
          connectTimeout: config.redis.connectTimeoutMs,
          commandTimeout: config.redis.commandTimeoutMs,
        });
        // ioredis reconnects by itself; without a listener it prints every failure to stderr.
        const logger = new Logger('Redis');
        redis.on('error', (error: Error) => logger.warn(`redis unavailable: ${error.message}`));
        return redis;
      },
    },
    {
      provide: REDIS_BREAKER,
      inject: [REDIS_CLIENT, AppConfig],
      useFactory: (redis: RedisClient, config: AppConfig): OptionalRedisBreaker =>
        redis &&
        new RedisCircuitBreaker(redis, {
          commandTimeoutMs: config.redis.commandTimeoutMs,
          probeIntervalMs: config.redis.probeIntervalMs,
          logger: new Logger('Redis'),
        }),
    },
  ],
  exports: [REDIS_CLIENT, REDIS_BREAKER],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(REDIS_BREAKER) private readonly breaker: OptionalRedisBreaker,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis || !this.breaker) return;
    this.breaker.stop();
    // QUIT through the breaker: skipped while Redis is unreachable, bounded by the command
    // timeout when it has gone silent, so neither delays the shutdown.
    const redis = this.redis;
    await this.breaker.run((client) => client.quit()).catch(() => redis.disconnect());
  }
}
