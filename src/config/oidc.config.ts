import { ConfigError } from './config-error.js';
import type { EnvReader } from './env-reader.js';

/** One OpenID Provider users may sign in with. */
export interface OidcProviderConfig {
  /** Short id used in URLs (`/api/auth/oidc/<id>/…`) and in the variable names. */
  id: string;
  /** Issuer identifier; its discovery document is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Absent for a public client, which authenticates with PKCE alone. */
  clientSecret: string | undefined;
  /** Requested scopes; always includes `openid`. */
  scopes: string[];
  /** Shown on login pages. */
  displayName: string;
}

/** OpenID Connect single sign-on; no providers means the feature is off. */
export interface OidcConfig {
  providers: OidcProviderConfig[];
  /** Client redirect URIs the callback may hand a one-time code to (exact match). */
  redirectUris: string[];
  /**
   * Public base URL of this API (scheme, host, optional path prefix before `/api`), used to
   * build the callback URL registered at the providers; derived from the request when unset.
   */
  publicBaseUrl: string | undefined;
  /** Lifetime of a pending login (authorize → callback). */
  stateTtlSeconds: number;
  /** Lifetime of the one-time code handed to the client (callback → exchange). */
  codeTtlSeconds: number;
}

const PROVIDER_ID = /^[a-z][a-z0-9-]{0,31}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads `OIDC_PROVIDERS` (comma-separated ids) and, per id, `OIDC_<ID>_ISSUER`,
 * `OIDC_<ID>_CLIENT_ID`, `OIDC_<ID>_CLIENT_SECRET`, `OIDC_<ID>_SCOPES`, `OIDC_<ID>_NAME`
 * (`<ID>` upper-cased, `-` → `_`). Issuers must use https (plain http only on loopback).
 */
export function readOidcConfig(read: EnvReader): OidcConfig {
  const ids = (read.optional('OIDC_PROVIDERS') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  const providers = ids.map((id): OidcProviderConfig => {
    if (!PROVIDER_ID.test(id)) {
      throw new ConfigError(
        'OIDC_PROVIDERS',
        `has an invalid provider id "${id}" (lower-case letters, digits and "-", at most 32)`,
      );
    }
    if (seen.has(id)) throw new ConfigError('OIDC_PROVIDERS', `lists "${id}" twice`);
    seen.add(id);
    const prefix = `OIDC_${id.toUpperCase().replace(/-/g, '_')}_`;
    const issuer = readIssuer(read, `${prefix}ISSUER`);
    const clientId = read.optional(`${prefix}CLIENT_ID`);
    if (!clientId) throw new ConfigError(`${prefix}CLIENT_ID`, `is required for provider ${id}`);
    const scopes = read
      .string(`${prefix}SCOPES`, 'openid email profile')
      .split(/[\s,]+/)
      .filter(Boolean);
    if (!scopes.includes('openid')) {
      throw new ConfigError(`${prefix}SCOPES`, 'must include openid');
    }
    return {
      id,
      issuer,
      clientId,
      clientSecret: read.optional(`${prefix}CLIENT_SECRET`),
      scopes,
      displayName: read.string(`${prefix}NAME`, id),
    };
  });

  const redirectUris = (read.optional('OIDC_REDIRECT_URIS') ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean)
    .map((uri) => normaliseRedirectUri(uri));
  if (providers.length > 0 && redirectUris.length === 0) {
    throw new ConfigError('OIDC_REDIRECT_URIS', 'is required when OIDC_PROVIDERS is set');
  }

  const publicBaseUrl = read.url('OIDC_PUBLIC_BASE_URL', ['http:', 'https:']);
  return {
    providers,
    redirectUris,
    publicBaseUrl: publicBaseUrl?.replace(/\/+$/, ''),
    stateTtlSeconds: read.integer('OIDC_STATE_TTL_SECONDS', 600, { min: 30, max: 3600 }),
    codeTtlSeconds: read.integer('OIDC_CODE_TTL_SECONDS', 60, { min: 1, max: 600 }),
  };
}

function readIssuer(read: EnvReader, name: string): string {
  const raw = read.optional(name);
  if (!raw) throw new ConfigError(name, 'is required for every provider in OIDC_PROVIDERS');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a valid URL, got "${raw}"`);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new ConfigError(name, 'must use https (http only for 127.0.0.1/localhost)');
  }
  if (url.search || url.hash) {
    throw new ConfigError(name, 'must not have a query or fragment');
  }
  return raw;
}

/** A redirect URI as the allow-list compares it: absolute http(s), no fragment. */
export function normaliseRedirectUri(raw: string, variable = 'OIDC_REDIRECT_URIS'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `has an invalid URL "${raw}"`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.hash) {
    throw new ConfigError(variable, `must list absolute http(s) URLs without fragment ("${raw}")`);
  }
  return url.href;
}
