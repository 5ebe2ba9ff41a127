import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as oidc from 'openid-client';
import { IsNull, type EntityManager, Repository } from 'typeorm';
import {
  DomainError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../../common/errors/domain-errors.js';
import { AppConfig } from '../../config/app.config.js';
import { normaliseRedirectUri } from '../../config/oidc.config.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import { AuthService, type IssuedCredentials } from '../auth/index.js';
import { LoginState } from './entities/login-state.entity.js';
import { OneTimeCode, type OneTimeCodePurpose } from './entities/one-time-code.entity.js';
import { SignatureError } from './id-token-signature.js';
import { IdentitiesService, type VerifiedClaims } from './identities.service.js';
import { describe, OidcProviders } from './oidc-providers.js';
import { LoginStateError } from './sso-errors.js';

/** Lifetime of a link ticket (the step between "link" and the browser's authorize request). */
const LINK_TICKET_TTL_SECONDS = 120;

/** Allowed clock difference with a provider for the ID token's `iat`. */
const CLOCK_TOLERANCE_SECONDS = 60;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

/** What the authorize step needs from the HTTP request. */
export interface AuthorizeInput {
  providerId: string;
  redirectUri: string;
  linkTicket?: string;
  /** The browser's binding value from its cookie, if it already has one. */
  browserId?: string;
  /** `https://api.example.com` as the request (or OIDC_PUBLIC_BASE_URL) says. */
  baseUrl: string;
}

/** What the callback step needs from the HTTP request. */
export interface CallbackInput {
  providerId: string;
  /** The raw query string the provider redirected with (`code`, `state`, `iss`…). */
  query: URLSearchParams;
  browserId?: string;
}

/**
 * The OpenID Connect login flow: authorization code with PKCE (S256), `state` bound to the
 * browser and single-use, `nonce`, ID token validated by openid-client (iss, aud, azp, exp,
 * iat, nonce) and its signature against the provider's JWKS; the client then trades a
 * one-time code for the usual session tokens.
 */
@Injectable()
export class SsoService {
  private readonly logger = new Logger(SsoService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly providers: OidcProviders,
    private readonly identities: IdentitiesService,
    private readonly auth: AuthService,
    private readonly tx: TransactionRunner,
    @InjectRepository(LoginState) private readonly states: Repository<LoginState>,
  ) {}

  /** The allowed client redirect, normalised; 422 for anything not on the allow-list. */
  checkRedirectUri(raw: string): string {
    let normalised: string | undefined;
    try {
      normalised = normaliseRedirectUri(raw);
    } catch {
      normalised = undefined;
    }
    if (!normalised || !this.config.oidc.redirectUris.includes(normalised)) {
      throw ValidationError.of('redirect_uri', 'is not an allowed redirect URI');
    }
    return normalised;
  }

  /**
   * Records a pending login and returns the provider's authorization URL plus the browser
   * binding value to set as a cookie.
   */
  async authorize(input: AuthorizeInput): Promise<{ url: string; browserId: string }> {
    const provider = this.providers.get(input.providerId);
    const redirectUri = this.checkRedirectUri(input.redirectUri);
    const client = await this.providers.client(provider.id);
    const linkUserId =
      input.linkTicket === undefined
        ? null
        : await this.consumeCode(input.linkTicket, 'link', provider.id).catch((error) => {
            this.fail(provider.id, 'link_token_invalid', error);
          });

    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const browserId = input.browserId ?? randomToken();
    const callbackUrl = `${input.baseUrl}/api/auth/oidc/${provider.id}/callback`;
    const now = Date.now();
    await this.tx.run(async (manager) => {
      await manager
        .createQueryBuilder()
        .delete()
        .from(LoginState)
        .where('expiresAt < :now', { now: new Date(now) })
        .execute();
      await manager.insert(LoginState, {
        stateHash: sha256(state),
        browserHash: sha256(browserId),
        providerId: provider.id,
        nonce,
        codeVerifier,
        callbackUrl,
        redirectUri,
        linkUserId: linkUserId ?? null,
        createdAt: new Date(now),
        expiresAt: new Date(now + this.config.oidc.stateTtlSeconds * 1000),
      });
    });
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: callbackUrl,
      scope: provider.scopes.join(' '),
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    this.logger.log(
      { event: 'sso.authorize', provider: provider.id, link: linkUserId !== null },
      'OIDC login started',
    );
    return { url: url.href, browserId };
  }

  /**
   * Validates the provider's answer and returns the client redirect carrying a one-time
   * code. Every failure is a 4xx and a log line; no session exists before the exchange.
   */
  async callback(input: CallbackInput): Promise<string> {
    const provider = this.providers.get(input.providerId);
    const state = input.query.get('state');
    if (!state) this.fail(provider.id, 'state_missing', new LoginStateError('state is missing'));
    const pending = await this.consumeState(state);
    if (!pending || pending.expiresAt.getTime() <= Date.now()) {
      this.fail(
        provider.id,
        'state_unknown',
        new LoginStateError('login state is unknown, expired or already used; start again'),
      );
    }
    if (pending.providerId !== provider.id) {
      this.fail(
        provider.id,
        'state_provider_mismatch',
        new LoginStateError('login state belongs to another provider'),
      );
    }
    if (!input.browserId || sha256(input.browserId) !== pending.browserHash) {
      this.fail(
        provider.id,
        'state_browser_mismatch',
        new LoginStateError('login state was started in another browser; start again'),
      );
    }

    const client = await this.providers.client(provider.id);
    const currentUrl = new URL(pending.callbackUrl);
    currentUrl.search = input.query.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(client, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      this.fail(provider.id, reasonOf(error), toDomainError(error));
    }
    const idToken = tokens.id_token;
    const idClaims = tokens.claims();
    if (!idToken || !idClaims) {
      this.fail(provider.id, 'id_token_missing', new UnauthorizedError('no ID token returned'));
    }
    // openid-client checks that iat is a number; a token "issued" in the future is refused here.
    if (idClaims.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
      this.fail(
        provider.id,
        'id_token_iat',
        new UnauthorizedError('ID token rejected: "iat" (issued at) claim is in the future'),
      );
    }
    try {
      await this.providers.verifySignature(provider.id, client, idToken);
    } catch (error) {
      this.fail(provider.id, 'id_token_signature', toDomainError(error));
    }

    const claims = await this.claimsOf(client, idClaims, tokens.access_token);
    let resolved: Awaited<ReturnType<IdentitiesService['resolve']>>;
    try {
      resolved = await this.identities.resolve(provider, claims, pending.linkUserId);
    } catch (error) {
      this.fail(provider.id, 'account_rejected', error);
    }
    const code = await this.issueCode(resolved.userId, 'exchange', provider.id);
    this.logger.log(
      {
        event: 'sso.login',
        provider: provider.id,
        userId: resolved.userId,
        outcome: resolved.outcome,
      },
      'OIDC login succeeded',
    );
    const redirect = new URL(pending.redirectUri);
    redirect.searchParams.set('code', code);
    return redirect.href;
  }

  /** Trades a one-time code for a session (single use, also under concurrent use). */
  async exchange(code: string, client: RequestOrigin): Promise<IssuedCredentials> {
    try {
      return await this.auth.loginExternal(
        (manager) => this.consumeCode(code, 'exchange', undefined, manager),
        client,
      );
    } catch (error) {
      this.fail('-', 'exchange_code_invalid', error);
    }
  }

  /** A ticket that lets the caller's browser start a link flow for their account. */
  async linkTicket(providerId: string, userId: number, redirectUri: string, baseUrl: string) {
    const provider = this.providers.get(providerId);
    const checked = this.checkRedirectUri(redirectUri);
    const ticket = await this.issueCode(userId, 'link', provider.id, LINK_TICKET_TTL_SECONDS);
    const url = new URL(`${baseUrl}/api/auth/oidc/${provider.id}/authorize`);
    url.searchParams.set('redirect_uri', checked);
    url.searchParams.set('link_token', ticket);
    return { authorizationUrl: url.href, expiresIn: LINK_TICKET_TTL_SECONDS };
  }

  /** Claims from the ID token, completed from UserInfo when it lacks the email. */
  private async claimsOf(
    client: oidc.Configuration,
    idClaims: oidc.IDToken,
    accessToken: string,
  ): Promise<VerifiedClaims> {
    const claims: VerifiedClaims = { ...idClaims } as VerifiedClaims;
    if (claims.email === undefined && client.serverMetadata().userinfo_endpoint) {
      try {
        const info = await oidc.fetchUserInfo(client, accessToken, idClaims.sub);
        if (typeof info.email === 'string') {
          claims.email = info.email;
          claims.email_verified = info.email_verified === true;
        }
        if (claims.preferred_username === undefined && typeof info.preferred_username === 'string')
          claims.preferred_username = info.preferred_username;
        if (claims.name === undefined && typeof info.name === 'string') claims.name = info.name;
      } catch (error) {
        this.logger.warn({ err: describe(error) }, 'OIDC UserInfo request failed');
      }
    }
    return claims;
  }

  /** Removes the pending login (whoever deletes it first owns it) and returns it. */
  private async consumeState(state: string): Promise<LoginState | undefined> {
    return this.tx.run(async (manager) => {
      const stateHash = sha256(state);
      const pending = await manager.findOneBy(LoginState, { stateHash });
      if (!pending) return undefined;
      const removed = await manager.delete(LoginState, { stateHash });
      return removed.affected === 1 ? pending : undefined;
    });
  }

  private async issueCode(
    userId: number,
    purpose: OneTimeCodePurpose,
    providerId: string,
    ttlSeconds = this.config.oidc.codeTtlSeconds,
  ): Promise<string> {
    const code = randomToken();
    const now = Date.now();
    await this.tx.run(async (manager) => {
      // Spent and expired codes are only kept until the next issue.
      await manager
        .createQueryBuilder()
        .delete()
        .from(OneTimeCode)
        .where('expiresAt < :now', { now: new Date(now - 60_000) })
        .execute();
      await manager.insert(OneTimeCode, {
        codeHash: sha256(code),
        purpose,
        userId,
        providerId,
        createdAt: new Date(now),
        expiresAt: new Date(now + ttlSeconds * 1000),
        usedAt: null,
      });
    });
    return code;
  }

  /** Marks a one-time code used and returns its user; 401 if unknown, expired or spent. */
  private async consumeCode(
    code: string,
    purpose: OneTimeCodePurpose,
    providerId: string | undefined,
    manager?: EntityManager,
  ): Promise<number> {
    const work = async (em: EntityManager) => {
      const codeHash = sha256(code);
      const stored = await em.findOneBy(OneTimeCode, { codeHash, purpose });
      const invalid = new UnauthorizedError('code is invalid, expired or already used');
      if (!stored || stored.expiresAt.getTime() <= Date.now()) throw invalid;
      if (providerId !== undefined && stored.providerId !== providerId) throw invalid;
      // Conditional update: of two concurrent exchanges of one code, exactly one wins.
      const claimed = await em.update(
        OneTimeCode,
        { codeHash, usedAt: IsNull() },
        { usedAt: new Date() },
      );
      if (claimed.affected !== 1) throw invalid;
      return stored.userId;
    };
    return manager ? work(manager) : this.tx.run(work);
  }

  /** Logs the failure as an audit line and throws it as a 4xx domain error. */
  private fail(provider: string, reason: string, error: unknown): never {
    const domain = error instanceof DomainError ? error : toDomainError(error);
    this.logger.warn(
      {
        event: 'sso.login_failed',
        provider,
        reason,
        status: domain.status,
        detail: describe(error),
      },
      `OIDC login failed: ${reason}`,
    );
    throw domain;
  }
}

/** A short machine-readable reason for the audit line. */
function reasonOf(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError) return `token_endpoint_${error.error}`;
  if (error instanceof oidc.AuthorizationResponseError) return `authorization_${error.error}`;
  if (unreachable(error)) return 'provider_unreachable';
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code.toLowerCase() : 'token_validation';
}

/**
 * openid-client and signature failures → 401 with a clear message; an unreachable provider
 * → 503. Domain errors pass through.
 */
function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof SignatureError) return new UnauthorizedError(error.message);
  if (error instanceof oidc.ResponseBodyError) {
    return new UnauthorizedError(
      error.error === 'invalid_grant'
        ? 'authorization code is invalid, expired or was already used'
        : `provider rejected the token request (${error.error})`,
    );
  }
  if (error instanceof oidc.AuthorizationResponseError) {
    return new UnauthorizedError(`provider returned an error (${error.error})`);
  }
  if (unreachable(error)) {
    return new ServiceUnavailableError(`provider could not be reached (${describe(error)})`, 5);
  }
  const cause = (error as { cause?: unknown })?.cause;
  const message = error instanceof Error ? error.message : 'ID token validation failed';
  return new UnauthorizedError(
    `ID token rejected: ${message}${cause instanceof Error ? ` (${cause.message})` : ''}`,
  );
}

/**
 * A network failure anywhere in the cause chain (openid-client wraps fetch's TypeError in a
 * ClientError "something went wrong"): refused connection, reset, DNS, timeout.
 */
function unreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const name = (current as { name?: unknown }).name;
    // By name: fetch's errors may come from another realm (instanceof fails under Jest's VM).
    if (
      (name === 'TypeError' && (current as Error).message === 'fetch failed') ||
      name === 'TimeoutError' ||
      name === 'AbortError' ||
      (current as { code?: unknown }).code === 'OAUTH_RESPONSE_IS_NOT_CONFORM'
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
