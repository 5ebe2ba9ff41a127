import { availableParallelism } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './app.config.js';
import { ConfigError } from './config-error.js';

const STRONG_SECRET = 'a-strong-secret-0123456789-abcdefghijklmnop';

/** The variable a ConfigError names, or undefined when loading succeeds. */
function failingVariable(env: Record<string, string>): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).variable;
  }
}

describe('loadConfig', () => {
  describe('defaults', () => {
    const config = loadConfig({});

    it('runs in development on 127.0.0.1:3000 with SQLite', () => {
      expect(config.env).toBe('development');
      expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3000, trustProxy: false });
      expect(config.database).toEqual({
        type: 'sqlite',
        path: 'data/conduit.sqlite',
        logging: false,
        readinessTimeoutMs: 2000,
      });
    });

    it('generates an ephemeral JWT secret and says so', () => {
      expect(config.auth.jwtSecretIsEphemeral).toBe(true);
      expect(config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
      expect(loadConfig({}).auth.jwtSecret).not.toBe(config.auth.jwtSecret);
    });

    it('uses the documented limits', () => {
      expect(config.http.bodyLimitBytes).toBe(1_048_576);
      expect(config.pagination).toEqual({ defaultLimit: 20, maxLimit: 100, maxOffset: 100_000 });
      expect(config.rateLimit).toEqual({
        windowSeconds: 60,
        max: 600,
        authMax: 30,
        loginAccountMax: 100,
        loginAddressMax: 5,
        accountChangeMax: 5,
        mailAccountMax: 3,
        keyPrefix: 'ratelimit:',
      });
      expect(config.cluster.workers).toBe(availableParallelism());
      expect(config.auth.accessTokenTtlSeconds).toBe(900);
      expect(config.auth.recentAuthMaxAgeSeconds).toBe(600);
      expect(config.auth.refreshGraceSeconds).toBe(5);
      expect(config.passwordHashing).toEqual({
        concurrency: Math.min(4, availableParallelism()),
        maxWaitMs: 2000,
      });
      expect(config.admin).toBeUndefined();
      expect(config.redisUrl).toBeUndefined();
      expect(config.cache).toEqual({
        ttlSeconds: 60,
        maxEntries: 10_000,
        maxBytes: 33_554_432,
        keyPrefix: 'cache:',
      });
      expect(config.idempotency).toEqual({ keyPrefix: 'idempotency:' });
    });

    it('is silent under test and pretty in development', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).log).toEqual({ level: 'silent', pretty: false });
      expect(config.log).toEqual({ level: 'info', pretty: true });
    });
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/app' }).database).toEqual({
      type: 'postgres',
      url: 'postgres://u@db:5432/app',
      logging: false,
      poolSize: 10,
      connectTimeoutMs: 1000,
      statementTimeoutMs: 5000,
      readinessTimeoutMs: 2000,
    });
  });

  it('defaults SHUTDOWN_TIMEOUT_MS to 10 s and reads the database timeouts', () => {
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '2500' }).shutdownTimeoutMs).toBe(2500);
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://u@db:5432/app',
        DATABASE_CONNECT_TIMEOUT_MS: '300',
        DATABASE_STATEMENT_TIMEOUT_MS: '60000',
        DATABASE_READY_TIMEOUT_MS: '750',
      }).database,
    ).toMatchObject({ connectTimeoutMs: 300, statementTimeoutMs: 60_000, readinessTimeoutMs: 750 });
  });

  it('reads the Redis timeouts, with defaults, and names a bad one', () => {
    expect(loadConfig({}).redis).toEqual({
      connectTimeoutMs: 2000,
      commandTimeoutMs: 250,
      probeIntervalMs: 1000,
    });
    expect(
      loadConfig({
        REDIS_CONNECT_TIMEOUT_MS: '500',
        REDIS_COMMAND_TIMEOUT_MS: '50',
        REDIS_PROBE_INTERVAL_MS: '5000',
      }).redis,
    ).toEqual({ connectTimeoutMs: 500, commandTimeoutMs: 50, probeIntervalMs: 5000 });
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow('REDIS_COMMAND_TIMEOUT_MS');
    expect(() => loadConfig({ REDIS_PROBE_INTERVAL_MS: 'soon' })).toThrow(
      'REDIS_PROBE_INTERVAL_MS',
    );
  });

  it('splits and trims CORS_ORIGINS', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.io, https://b.io,' }).http.corsOrigins).toEqual([
      'https://a.io',
      'https://b.io',
    ]);
  });

  it('lower-cases ADMIN_EMAIL and defaults ADMIN_USERNAME', () => {
    expect(
      loadConfig({ ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'long-enough' }).admin,
    ).toEqual({ email: 'root@example.com', password: 'long-enough', username: 'admin' });
  });

  describe('production secrets', () => {
    it('accepts a long random JWT_SECRET', () => {
      const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET });
      expect(config.auth).toMatchObject({ jwtSecret: STRONG_SECRET, jwtSecretIsEphemeral: false });
    });

    it.each([
      ['a missing JWT_SECRET', {}],
      ['a short JWT_SECRET', { JWT_SECRET: 'short-secret' }],
      ['a published example secret', { JWT_SECRET: 'replace-with-at-least-32-random-characters' }],
      ['a published example secret in another case', { JWT_SECRET: 'CHANGE-ME' }],
    ])('refuses %s', (_label, env) => {
      expect(failingVariable({ NODE_ENV: 'production', ...env })).toBe('JWT_SECRET');
    });

    it('tolerates a weak JWT_SECRET outside production', () => {
      expect(failingVariable({ NODE_ENV: 'development', JWT_SECRET: 'secret' })).toBeUndefined();
    });
  });

  it('delivers mail to .eml files, links to APP_URL without its trailing slash', () => {
    const config = loadConfig({ APP_URL: 'https://conduit.example.com/' });
    expect(config.mail).toMatchObject({
      smtpUrl: undefined,
      from: 'Conduit <no-reply@conduit.localhost>',
      outboxDir: 'data/outbox',
      dispatcher: true,
    });
    expect(config.accounts).toEqual({
      appUrl: 'https://conduit.example.com',
      emailVerificationTtlSeconds: 172_800,
      passwordResetTtlSeconds: 1800,
      requireVerifiedEmail: false,
    });
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com' }).mail.smtpUrl).toBe(
      'smtps://u:p@mail.example.com',
    );
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1', '10.0.0.0/8, 127.0.0.1'],
  ])('reads TRUST_PROXY=%s as a boolean, a hop count or an address list', (raw, expected) => {
    expect(loadConfig({ TRUST_PROXY: raw }).http.trustProxy).toEqual(expected);
  });

  it.each([
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES'],
    [{ DATABASE_URL: 'mysql://db/app' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://cache' }, 'REDIS_URL'],
    [{ CACHE_TTL_SECONDS: '-1' }, 'CACHE_TTL_SECONDS'],
    [{ CACHE_MAX_ENTRIES: '0' }, 'CACHE_MAX_ENTRIES'],
    [{ CACHE_MAX_BYTES: '12' }, 'CACHE_MAX_BYTES'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ TRUST_PROXY: 'sometimes' }, 'TRUST_PROXY'],
    [{ ADMIN_EMAIL: 'root@example.com' }, 'ADMIN_PASSWORD'],
    [{ ADMIN_PASSWORD: 'long-enough' }, 'ADMIN_EMAIL'],
    [{ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    [{ PAGINATION_DEFAULT_LIMIT: '50', PAGINATION_MAX_LIMIT: '40' }, 'PAGINATION_DEFAULT_LIMIT'],
    [{ JWT_ACCESS_TTL_SECONDS: '5' }, 'JWT_ACCESS_TTL_SECONDS'],
    [{ SHUTDOWN_TIMEOUT_MS: 'soon' }, 'SHUTDOWN_TIMEOUT_MS'],
    [
      { DATABASE_URL: 'postgres://db/app', DATABASE_CONNECT_TIMEOUT_MS: '0' },
      'DATABASE_CONNECT_TIMEOUT_MS',
    ],
    [
      { DATABASE_URL: 'postgres://db/app', DATABASE_STATEMENT_TIMEOUT_MS: '-1' },
      'DATABASE_STATEMENT_TIMEOUT_MS',
    ],
    [{ RATE_LIMIT_LOGIN_ACCOUNT_MAX: '0' }, 'RATE_LIMIT_LOGIN_ACCOUNT_MAX'],
    [{ RATE_LIMIT_LOGIN_ADDRESS_MAX: '0' }, 'RATE_LIMIT_LOGIN_ADDRESS_MAX'],
    [{ RATE_LIMIT_ACCOUNT_CHANGE_MAX: 'x' }, 'RATE_LIMIT_ACCOUNT_CHANGE_MAX'],
    [{ RECENT_AUTH_MAX_AGE_SECONDS: '-1' }, 'RECENT_AUTH_MAX_AGE_SECONDS'],
    [{ REFRESH_GRACE_SECONDS: '61' }, 'REFRESH_GRACE_SECONDS'],
    [{ PASSWORD_HASH_CONCURRENCY: '0' }, 'PASSWORD_HASH_CONCURRENCY'],
    [{ PASSWORD_HASH_MAX_WAIT_MS: '5' }, 'PASSWORD_HASH_MAX_WAIT_MS'],
    [{ CLUSTER_WORKERS: '0' }, 'CLUSTER_WORKERS'],
    [{ CLUSTER_WORKERS: 'many' }, 'CLUSTER_WORKERS'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ MAIL_FROM: 'not an address' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'Evil <a@b.c>\r\nBcc: x@y.z' }, 'MAIL_FROM'],
    [{ APP_URL: 'javascript:alert(1)' }, 'APP_URL'],
    [{ MAIL_POLL_INTERVAL_MS: '-5' }, 'MAIL_POLL_INTERVAL_MS'],
    [{ MAIL_MAX_ATTEMPTS: '0' }, 'MAIL_MAX_ATTEMPTS'],
    [{ MAIL_RETRY_BASE_MS: '1' }, 'MAIL_RETRY_BASE_MS'],
    [{ MAIL_DISPATCHER: 'maybe' }, 'MAIL_DISPATCHER'],
    [{ PASSWORD_RESET_TTL_SECONDS: '10' }, 'PASSWORD_RESET_TTL_SECONDS'],
    [{ EMAIL_VERIFICATION_TTL_SECONDS: 'long' }, 'EMAIL_VERIFICATION_TTL_SECONDS'],
    [{ REQUIRE_VERIFIED_EMAIL: 'sometimes' }, 'REQUIRE_VERIFIED_EMAIL'],
    // Below page 1,000 at the largest page size (999 × 100).
    [{ PAGINATION_MAX_OFFSET: '99899' }, 'PAGINATION_MAX_OFFSET'],
    [
      { PAGINATION_MAX_LIMIT: '10', PAGINATION_DEFAULT_LIMIT: '10', PAGINATION_MAX_OFFSET: '9989' },
      'PAGINATION_MAX_OFFSET',
    ],
  ])('rejects %p naming %s', (env, variable) => {
    expect(failingVariable(env)).toBe(variable);
  });
});
