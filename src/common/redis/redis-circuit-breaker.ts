import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** Thrown instead of waiting when Redis is skipped (breaker open), not connected or too slow. */
export class RedisUnavailableError extends Error {
  constructor(
    message: string,
    /** True when Redis was not even asked (the breaker is open): nothing new to log. */
    readonly skipped = false,
  ) {
    super(message);
  }
}

export interface RedisCircuitBreakerOptions {
  /** A command not answered within this time fails (REDIS_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs: number;
  /** While open, Redis is probed this often (REDIS_PROBE_INTERVAL_MS). */
  probeIntervalMs: number;
  /** Consecutive failures that open the breaker. */
  failuresToOpen?: number;
  logger?: Pick<LoggerService, 'log' | 'warn'>;
}

/** A few timeouts in a row, not one slow command, mean Redis is gone. */
const DEFAULT_FAILURES_TO_OPEN = 3;

/**
 * Every Redis command of the rate limiter and the cache goes through here, so an unreachable
 * Redis costs requests nothing once it is known to be unreachable (before, ioredis queued each
 * command until its timeout: the ~0.5 s every request paid during an outage):
 * - the breaker opens when the connection closes, or after `failuresToOpen` commands in a row
 *   got no answer within `commandTimeoutMs` (a frozen network: bytes stop, no reset, and the
 *   connection still looks up);
 * - while open, commands fail at once without touching Redis and callers fall back (rate
 *   limits fail open, the cache reads the database); a background probe PINGs Redis every
 *   `probeIntervalMs`, replacing a connection that does not answer (a frozen one never
 *   recovers by itself). The first answered PING closes the breaker.
 */
export class RedisCircuitBreaker {
  private failures = 0;
  private opened = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly failuresToOpen: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisCircuitBreakerOptions,
  ) {
    this.failuresToOpen = options.failuresToOpen ?? DEFAULT_FAILURES_TO_OPEN;
    // A connection that closed is known to be down: no need to wait for failures. (The first
    // connection, still being established, is not: commands wait for it, within the timeout.)
    redis.on('close', () => {
      if (!this.stopped && !this.opened) this.open('the connection closed');
    });
  }

  /** True while Redis is being skipped. */
  get isOpen(): boolean {
    return this.opened;
  }

  /** Runs one command, or fails at once ({@link RedisUnavailableError}) while Redis is skipped. */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.opened)
      throw new RedisUnavailableError('redis is skipped until it answers again', true);
    try {
      const result = await this.withTimeout(command(this.redis));
      this.failures = 0;
      return result;
    } catch (error) {
      this.recordFailure(error);
      throw error;
    }
  }

  /** Calls `listener` whenever the connection drops (see CacheStore.onDisconnect). */
  onDisconnect(listener: () => void): void {
    this.redis.on('close', listener);
  }

  /** Stops probing (before the connection is closed at shutdown). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.probeTimer);
  }

  private recordFailure(error: unknown): void {
    this.failures += 1;
    if (this.opened || this.failures < this.failuresToOpen) return;
    this.open(`${this.failures} failures in a row, the last: ${(error as Error).message}`);
  }

  private open(reason: string): void {
    this.opened = true;
    this.options.logger?.warn(
      `redis skipped (${reason}): rate limits fail open and the cache reads the database ` +
        `until it answers again`,
    );
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.probeTimer = setTimeout(() => void this.probe(), this.options.probeIntervalMs);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.stopped) return;
    if (this.redis.status === 'ready') {
      try {
        await this.withTimeout(this.redis.ping());
        this.opened = false;
        this.failures = 0;
        this.options.logger?.log('redis answers again: no longer skipped');
        return;
      } catch {
        // Connected but silent: the network froze under this connection, which TCP alone
        // may take many minutes to notice. A new connection recovers as soon as Redis answers.
        this.redis.disconnect(true);
      }
    }
    // Not connected: ioredis is reconnecting by itself; look again later.
    this.scheduleProbe();
  }

  private async withTimeout<T>(pending: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RedisUnavailableError(
              `redis did not answer within ${this.options.commandTimeoutMs} ms`,
            ),
          ),
        this.options.commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
