import type { JsonWebKey } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import * as oidc from 'openid-client';
import { NotFoundError, ServiceUnavailableError } from '../../common/errors/domain-errors.js';
import { AppConfig } from '../../config/app.config.js';
import type { OidcProviderConfig } from '../../config/oidc.config.js';
import {
  readJwsHeader,
  selectKey,
  SignatureError,
  verifyJwsSignature,
} from './id-token-signature.js';

/** Discovery and JWKS requests give up after this long. */
const HTTP_TIMEOUT_SECONDS = 10;

interface KeySet {
  keys: JsonWebKey[];
  fetchedAt: number;
}

/**
 * The configured OpenID Providers: discovery (tried at start-up, retried lazily while it
 * fails) and each provider's signing keys (cached; fetched again once on an unknown `kid`,
 * which is how providers rotate keys).
 */
@Injectable()
export class OidcProviders implements OnApplicationBootstrap {
  private readonly logger = new Logger(OidcProviders.name);
  private readonly byId: Map<string, OidcProviderConfig>;
  private readonly discovered = new Map<string, Promise<oidc.Configuration>>();
  private readonly keySets = new Map<string, KeySet>();
  private readonly keyFetches = new Map<string, Promise<KeySet>>();

  constructor(config: AppConfig) {
    this.byId = new Map(config.oidc.providers.map((provider) => [provider.id, provider]));
  }

  /** Warms discovery up without delaying start-up; an unreachable issuer is only a warning. */
  onApplicationBootstrap(): void {
    for (const id of this.byId.keys()) {
      this.client(id).catch((error: unknown) =>
        this.logger.warn(
          { provider: id, err: describe(error) },
          'OIDC provider discovery failed at start-up; it will be retried on first use',
        ),
      );
    }
  }

  list(): OidcProviderConfig[] {
    return [...this.byId.values()];
  }

  /** The provider's configuration; 404 for an id that is not configured. */
  get(id: string): OidcProviderConfig {
    const provider = this.byId.get(id);
    if (!provider) throw new NotFoundError('OIDC provider', id);
    return provider;
  }

  /** The discovered client configuration; 503 while the issuer cannot be reached. */
  async client(id: string): Promise<oidc.Configuration> {
    const provider = this.get(id);
    let pending = this.discovered.get(id);
    if (!pending) {
      pending = this.discover(provider);
      this.discovered.set(id, pending);
      // A failure is not cached: the next request tries again.
      pending.catch(() => this.discovered.delete(id));
    }
    try {
      return await pending;
    } catch (error) {
      throw new ServiceUnavailableError(
        `OIDC provider ${id} is unreachable (${describe(error)})`,
        5,
      );
    }
  }

  /**
   * Checks the ID token's signature against the provider's published keys. A `kid` the
   * cached set lacks triggers exactly one refetch (concurrent callers share it).
   */
  async verifySignature(id: string, configuration: oidc.Configuration, idToken: string) {
    const header = readJwsHeader(idToken);
    const jwksUri = configuration.serverMetadata().jwks_uri;
    if (!jwksUri) throw new SignatureError('provider publishes no jwks_uri');
    let keySet = this.keySets.get(id) ?? (await this.fetchKeys(id, jwksUri));
    let key = selectKey(keySet.keys, header);
    if (!key) {
      this.logger.log(
        { provider: id, kid: header.kid },
        'ID token signed with a key not in the cached set; fetching the provider keys again',
      );
      keySet = await this.fetchKeys(id, jwksUri, keySet);
      key = selectKey(keySet.keys, header);
    }
    if (!key)
      throw new SignatureError(`ID token is signed with an unknown key (kid ${header.kid})`);
    verifyJwsSignature(idToken, key);
  }

  /** Fetches the key set unless another caller already replaced `stale` meanwhile. */
  private fetchKeys(id: string, jwksUri: string, stale?: KeySet): Promise<KeySet> {
    const current = this.keySets.get(id);
    if (current && current !== stale) return Promise.resolve(current);
    let pending = this.keyFetches.get(id);
    if (!pending) {
      pending = (async () => {
        const response = await fetch(jwksUri, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(HTTP_TIMEOUT_SECONDS * 1000),
        });
        if (!response.ok) throw new SignatureError(`JWKS request failed (${response.status})`);
        const body = (await response.json()) as { keys?: unknown };
        if (!Array.isArray(body.keys)) throw new SignatureError('JWKS response has no keys');
        const keySet = { keys: body.keys as JsonWebKey[], fetchedAt: Date.now() };
        this.keySets.set(id, keySet);
        return keySet;
      })().finally(() => this.keyFetches.delete(id));
      this.keyFetches.set(id, pending);
    }
    return pending;
  }

  private discover(provider: OidcProviderConfig): Promise<oidc.Configuration> {
    const insecure = new URL(provider.issuer).protocol === 'http:';
    return oidc.discovery(
      new URL(provider.issuer),
      provider.clientId,
      provider.clientSecret ? { client_secret: provider.clientSecret } : undefined,
      provider.clientSecret ? oidc.ClientSecretBasic(provider.clientSecret) : oidc.None(),
      {
        timeout: HTTP_TIMEOUT_SECONDS,
        // Config allows plain http only for loopback issuers (tests, local development).
        execute: insecure ? [oidc.allowInsecureRequests] : [],
      },
    );
  }
}

/** A short, log-safe description of a failure. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (error as { code?: unknown }).code;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${detail}`;
  }
  return String(error);
}
