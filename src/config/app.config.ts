import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ConfigError } from './config-error.js';
import { EnvReader } from './env-reader.js';
import { type OidcConfig, readOidcConfig } from './oidc.config.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Secrets that appear in docs and examples: never acceptable in production. */
const KNOWN_DEFAULT_SECRETS = new Set([
  'change-me',
  'changeme',
  'secret',
  'jwt-secret',
  'replace-with-at-least-32-random-characters',
]);
const MIN_SECRET_LENGTH = 32;

export type DatabaseConfig = (
  | { type: 'sqlite'; path: string; logging: boolean }
  | {
      type: 'postgres';
      url: string;
      logging: boolean;
      poolSize: number;
      /** How long to wait for a new connection before the request fails with 503. */
      connectTimeoutMs: number;
      /** Server-side statement_timeout; the client gives up shortly after it (lost network). */
      statementTimeoutMs: number;
    }
) & {
  /** The readiness probe answers 503 when the database has not answered its ping by then. */
  readinessTimeoutMs: number;
};

/**
 * The whole validated configuration. Injected by class token (`constructor(config: AppConfig)`),
 * built once from the environment by {@link loadConfig}.
 */
export abstract class AppConfig {
  abstract readonly env: NodeEnv;
  abstract readonly http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    corsOrigins: string[];
    /**
     * Fastify's trustProxy: false, true (every hop — the client can then pick its own IP via
     * X-Forwarded-For), a hop count, or a comma-separated list of proxy addresses/CIDRs.
     */
    trustProxy: boolean | number | string;
    /**
     * Longest time a client may take to send a whole request (headers and body); a stalled
     * one gets 408 and its connection is closed. Also the bound for the headers alone.
     */
    requestTimeoutMs: number;
    /** Open connections one client address may hold at once; 0 = unlimited. */
    maxConnectionsPerAddress: number;
  };
  abstract readonly database: DatabaseConfig;
  abstract readonly auth: {
    jwtSecret: string;
    /** True when the secret was generated at start-up (development only). */
    jwtSecretIsEphemeral: boolean;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /**
     * Email and password changes need a login (a real one: password or SSO, not a refresh) at
     * most this old, or the current password in the request.
     */
    recentAuthMaxAgeSeconds: number;
    /**
     * A refresh token presented again this soon after its rotation, by the same client, gets the
     * same new pair instead of revoking the session (concurrent refreshes, lost responses).
     * 0 turns the grace off.
     */
    refreshGraceSeconds: number;
  };
  abstract readonly admin: { email: string; password: string; username: string } | undefined;
  abstract readonly redisUrl: string | undefined;
  /** How long Redis may take before requests go on without it (when REDIS_URL is set). */
  abstract readonly redis: {
    /** Wait this long for a connection to be established. */
    connectTimeoutMs: number;
    /** A command not answered within this time fails; a few in a row open the breaker. */
    commandTimeoutMs: number;
    /** While Redis is skipped (breaker open), it is probed this often. */
    probeIntervalMs: number;
  };
  /** Read cache of public views (tags, single articles): in Redis when REDIS_URL is set. */
  abstract readonly cache: {
    /** Lifetime of an entry; 0 turns caching off. */
    ttlSeconds: number;
    /** Bounds of the in-process store (without Redis): entries, and UTF-8 bytes held. */
    maxEntries: number;
    maxBytes: number;
    /** Prefix of the cache's Redis keys, so deployments (or test runs) can share one Redis. */
    keyPrefix: string;
  };
  /** Idempotency-Key records: in Redis when REDIS_URL is set, in the database otherwise. */
  abstract readonly idempotency: {
    /** Prefix of their Redis keys, so deployments (or test runs) can share one Redis. */
    keyPrefix: string;
  };
  /** Bearer token that unlocks GET /metrics; the endpoint is off (404) without one. */
  abstract readonly metricsToken: string | undefined;
  abstract readonly log: { level: LogLevel; pretty: boolean };
  abstract readonly rateLimit: {
    windowSeconds: number;
    max: number;
    authMax: number;
    /**
     * Failed logins per account (normalised email) and window from addresses that never logged
     * into it; addresses that did keep only their own budget, so the owner is not locked out.
     */
    loginAccountMax: number;
    /** Mail-sending requests (password reset) per account and window. */
    mailAccountMax: number;
    /** Failed logins per account and client address per window. */
    loginAddressMax: number;
    /**
     * Identity changes (email, username, password) and current-password checks per account and
     * window; they also count against the address's `auth` budget.
     */
    accountChangeMax: number;
    /** Prefix of the counters' Redis keys, so deployments (or test runs) can share one Redis. */
    keyPrefix: string;
  };
  /** argon2 work admitted at once per process, and how long a caller may wait for a slot. */
  abstract readonly passwordHashing: { concurrency: number; maxWaitMs: number };
  /** `npm run start:cluster`: how many worker processes the primary keeps running. */
  abstract readonly cluster: { workers: number };
  /**
   * Page sizes, and the deepest offset served (`maxOffset`): skipping rows costs in proportion
   * to the offset, so deeper pages must follow `nextCursor`.
   */
  abstract readonly pagination: { defaultLimit: number; maxLimit: number; maxOffset: number };
  /** `GET /api/tags` returns at most this many tags (the most used). */
  abstract readonly tags: { listLimit: number };
  /** A username given up by a rename stays reserved for its former owner this long. */
  abstract readonly usernames: { holdSeconds: number };
  /** On SIGTERM/SIGINT: how long in-flight requests may take before the process exits with 1. */
  abstract readonly shutdownTimeoutMs: number;
  /** OpenID Connect single sign-on (see oidc.config.ts). */
  abstract readonly oidc: OidcConfig;
  /** Outgoing mail: written to the outbox table, delivered by the dispatcher. */
  abstract readonly mail: {
    /** SMTP server (smtp:// or smtps://); without it messages become .eml files in `outboxDir`. */
    smtpUrl: string | undefined;
    from: string;
    outboxDir: string;
    /** Whether this instance delivers the outbox (false: it only writes to it). */
    dispatcher: boolean;
    /** Sweep for due messages (crashed instances, other writers); 0 = only on commit/retry timers. */
    pollIntervalMs: number;
    maxAttempts: number;
    /** First retry delay; doubles with every failed attempt (capped at one hour). */
    retryBaseMs: number;
  };
  /** Account lifecycle: links in mails, token lifetimes, verified-email policy. */
  abstract readonly accounts: {
    /** The frontend's address: links in mails point there (`/verify-email?token=…`). */
    appUrl: string;
    emailVerificationTtlSeconds: number;
    passwordResetTtlSeconds: number;
    /** Unverified accounts are read-only (403 EMAIL_NOT_VERIFIED on writes). */
    requireVerifiedEmail: boolean;
  };
}

/** Reads and validates the environment. Throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const read = new EnvReader(env);
  const nodeEnv = read.oneOf('NODE_ENV', NODE_ENVS, 'development');
  const production = nodeEnv === 'production';

  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const databaseLogging = read.boolean('DATABASE_LOGGING', false);
  const readinessTimeoutMs = read.integer('DATABASE_READY_TIMEOUT_MS', 2000, {
    min: 100,
    max: 60_000,
  });
  const database: DatabaseConfig = databaseUrl
    ? {
        readinessTimeoutMs,
        type: 'postgres',
        url: databaseUrl,
        logging: databaseLogging,
        poolSize: read.integer('DATABASE_POOL_SIZE', 10, { min: 1, max: 200 }),
        connectTimeoutMs: read.integer('DATABASE_CONNECT_TIMEOUT_MS', 1000, {
          min: 100,
          max: 60_000,
        }),
        statementTimeoutMs: read.integer('DATABASE_STATEMENT_TIMEOUT_MS', 5000, {
          min: 100,
          max: 3_600_000,
        }),
      }
    : {
        readinessTimeoutMs,
        type: 'sqlite',
        path: read.string('SQLITE_PATH', 'data/conduit.sqlite'),
        logging: databaseLogging,
      };

  const adminEmail = read.optional('ADMIN_EMAIL');
  const adminPassword = read.optional('ADMIN_PASSWORD');
  if (Boolean(adminEmail) !== Boolean(adminPassword)) {
    throw new ConfigError(
      adminEmail ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL',
      'must be set together with the other ADMIN_ variable',
    );
  }
  if (adminPassword && adminPassword.length < 8) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 8 characters');
  }

  const defaultLimit = read.integer('PAGINATION_DEFAULT_LIMIT', 20, { min: 1, max: 1000 });
  const maxLimit = read.integer('PAGINATION_MAX_LIMIT', 100, { min: 1, max: 1000 });
  if (defaultLimit > maxLimit) {
    throw new ConfigError(
      'PAGINATION_DEFAULT_LIMIT',
      `must not exceed PAGINATION_MAX_LIMIT (${maxLimit})`,
    );
  }
  // Page 1,000 must stay reachable by offset at any allowed page size (RealWorld clients draw
  // numbered page links from articlesCount and fetch them by offset).
  const minOffsetCap = 999 * maxLimit;
  const maxOffset = read.integer('PAGINATION_MAX_OFFSET', 1000 * maxLimit, {
    min: minOffsetCap,
    max: Number.MAX_SAFE_INTEGER,
  });

  return {
    env: nodeEnv,
    http: {
      host: read.string('HOST', '127.0.0.1'),
      port: read.integer('PORT', 3000, { min: 0, max: 65535 }),
      bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 1_048_576, { min: 1024, max: 104_857_600 }),
      corsOrigins: read
        .string('CORS_ORIGINS', '*')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
      trustProxy: readTrustProxy(read),
      requestTimeoutMs: read.integer('REQUEST_TIMEOUT_MS', 30_000, { min: 1000, max: 600_000 }),
      maxConnectionsPerAddress: read.integer('MAX_CONNECTIONS_PER_ADDRESS', 128, {
        min: 0,
        max: 1_000_000,
      }),
    },
    database,
    auth: {
      ...readJwtSecret(read, production),
      accessTokenTtlSeconds: read.integer('JWT_ACCESS_TTL_SECONDS', 900, { min: 10, max: 86_400 }),
      refreshTokenTtlSeconds: read.integer('JWT_REFRESH_TTL_SECONDS', 2_592_000, {
        min: 60,
        max: 31_536_000,
      }),
      recentAuthMaxAgeSeconds: read.integer('RECENT_AUTH_MAX_AGE_SECONDS', 600, {
        min: 0,
        max: 86_400,
      }),
      refreshGraceSeconds: read.integer('REFRESH_GRACE_SECONDS', 5, { min: 0, max: 60 }),
    },
    admin:
      adminEmail && adminPassword
        ? {
            email: adminEmail.toLowerCase(),
            password: adminPassword,
            username: read.string('ADMIN_USERNAME', 'admin'),
          }
        : undefined,
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
    redis: {
      connectTimeoutMs: read.integer('REDIS_CONNECT_TIMEOUT_MS', 2000, { min: 100, max: 60_000 }),
      commandTimeoutMs: read.integer('REDIS_COMMAND_TIMEOUT_MS', 250, { min: 10, max: 60_000 }),
      probeIntervalMs: read.integer('REDIS_PROBE_INTERVAL_MS', 1000, { min: 100, max: 60_000 }),
    },
    cache: {
      ttlSeconds: read.integer('CACHE_TTL_SECONDS', 60, { min: 0, max: 86_400 }),
      maxEntries: read.integer('CACHE_MAX_ENTRIES', 10_000, { min: 1, max: 10_000_000 }),
      maxBytes: read.integer('CACHE_MAX_BYTES', 33_554_432, { min: 1024, max: 4_294_967_296 }),
      keyPrefix: read.string('CACHE_KEY_PREFIX', 'cache:'),
    },
    idempotency: { keyPrefix: read.string('IDEMPOTENCY_KEY_PREFIX', 'idempotency:') },
    metricsToken: readMetricsToken(read),
    log: {
      level: read.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
      pretty: read.boolean('LOG_PRETTY', nodeEnv === 'development'),
    },
    rateLimit: {
      windowSeconds: read.integer('RATE_LIMIT_WINDOW_SECONDS', 60, { min: 1, max: 86_400 }),
      max: read.integer('RATE_LIMIT_MAX', 600, { min: 1, max: 1_000_000 }),
      authMax: read.integer('RATE_LIMIT_AUTH_MAX', 30, { min: 1, max: 1_000_000 }),
      mailAccountMax: read.integer('RATE_LIMIT_MAIL_ACCOUNT_MAX', 3, { min: 1, max: 1_000_000 }),
      loginAccountMax: read.integer('RATE_LIMIT_LOGIN_ACCOUNT_MAX', 100, {
        min: 1,
        max: 1_000_000,
      }),
      loginAddressMax: read.integer('RATE_LIMIT_LOGIN_ADDRESS_MAX', 5, { min: 1, max: 1_000_000 }),
      accountChangeMax: read.integer('RATE_LIMIT_ACCOUNT_CHANGE_MAX', 5, {
        min: 1,
        max: 1_000_000,
      }),
      keyPrefix: read.string('RATE_LIMIT_KEY_PREFIX', 'ratelimit:'),
    },
    passwordHashing: {
      concurrency: read.integer('PASSWORD_HASH_CONCURRENCY', Math.min(4, availableParallelism()), {
        min: 1,
        max: 64,
      }),
      maxWaitMs: read.integer('PASSWORD_HASH_MAX_WAIT_MS', 2000, { min: 10, max: 60_000 }),
    },
    cluster: {
      workers: read.integer('CLUSTER_WORKERS', availableParallelism(), { min: 1, max: 1024 }),
    },
    pagination: { defaultLimit, maxLimit, maxOffset },
    tags: { listLimit: read.integer('TAGS_LIST_LIMIT', 100, { min: 1, max: 10_000 }) },
    usernames: {
      holdSeconds: read.integer('USERNAME_HOLD_SECONDS', 2_592_000, { min: 0, max: 31_536_000 }),
    },
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
    oidc: readOidcConfig(read),
    mail: {
      smtpUrl: read.url('SMTP_URL', ['smtp:', 'smtps:']),
      from: readMailFrom(read),
      outboxDir: read.string('MAIL_OUTBOX_DIR', 'data/outbox'),
      dispatcher: read.boolean('MAIL_DISPATCHER', true),
      pollIntervalMs: read.integer('MAIL_POLL_INTERVAL_MS', 5000, { min: 0, max: 3_600_000 }),
      maxAttempts: read.integer('MAIL_MAX_ATTEMPTS', 8, { min: 1, max: 100 }),
      retryBaseMs: read.integer('MAIL_RETRY_BASE_MS', 5000, { min: 10, max: 3_600_000 }),
    },
    accounts: {
      appUrl: readAppUrl(read),
      emailVerificationTtlSeconds: read.integer('EMAIL_VERIFICATION_TTL_SECONDS', 172_800, {
        min: 60,
        max: 2_592_000,
      }),
      passwordResetTtlSeconds: read.integer('PASSWORD_RESET_TTL_SECONDS', 1800, {
        min: 60,
        max: 86_400,
      }),
      requireVerifiedEmail: read.boolean('REQUIRE_VERIFIED_EMAIL', false),
    },
  };
}

/** `Name <address>` or a bare address; anything else would be rejected by SMTP servers later. */
function readMailFrom(read: EnvReader): string {
  const from = read.string('MAIL_FROM', 'Conduit <no-reply@conduit.localhost>');
  if (!/^([^<>@\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(from.trim()))
    throw new ConfigError('MAIL_FROM', 'must be an address, optionally as "Name <address>"');
  return from.trim();
}

/** The frontend's base URL, without a trailing slash. */
function readAppUrl(read: EnvReader): string {
  const url = read.url('APP_URL', ['http:', 'https:']) ?? 'http://localhost:4100';
  return url.replace(/\/+$/, '');
}

function readJwtSecret(read: EnvReader, production: boolean) {
  const secret = read.optional('JWT_SECRET');
  if (secret === undefined) {
    if (production) throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
    return { jwtSecret: randomBytes(48).toString('base64url'), jwtSecretIsEphemeral: true };
  }
  if (KNOWN_DEFAULT_SECRETS.has(secret.toLowerCase())) {
    if (production)
      throw new ConfigError('JWT_SECRET', 'is a published default value; generate a random one');
  }
  if (secret.length < MIN_SECRET_LENGTH && production) {
    throw new ConfigError(
      'JWT_SECRET',
      `must be at least ${MIN_SECRET_LENGTH} characters in production`,
    );
  }
  return { jwtSecret: secret, jwtSecretIsEphemeral: false };
}

function readMetricsToken(read: EnvReader): string | undefined {
  const token = read.optional('METRICS_TOKEN');
  if (token !== undefined && token.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  }
  return token;
}

function readTrustProxy(read: EnvReader): boolean | number | string {
  const raw = read.optional('TRUST_PROXY');
  if (raw === undefined || /^(true|false|yes|no)$/i.test(raw))
    return read.boolean('TRUST_PROXY', false);
  if (/^\d+$/.test(raw)) return read.integer('TRUST_PROXY', 0, { min: 0, max: 100 });
  if (/^[0-9a-fA-F:./]+(\s*,\s*[0-9a-fA-F:./]+)*$/.test(raw)) return raw;
  throw new ConfigError(
    'TRUST_PROXY',
    'must be true, false, a hop count or a list of proxy addresses/CIDRs',
  );
}
