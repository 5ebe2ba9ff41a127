import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { extractAccessToken } from '../../common/auth/token-extractor.js';
import { UnauthorizedError } from '../../common/errors/domain-errors.js';
import { AppConfig } from '../../config/app.config.js';
import {
  type AccessTokenClaims,
  JWT_ALGORITHM,
  JWT_AUDIENCE,
  JWT_ISSUER,
} from './access-token.service.js';
import { SessionsService } from './sessions.service.js';
import { type VerifiedClaims, VerifiedTokens } from './verified-tokens.js';

type RequestWithHeaders = { headers: Record<string, string | string[] | undefined> };

/**
 * Verifies access tokens: HS256 only (so `alg: none` and key-confusion tokens fail), with
 * issuer, audience and expiry checked, then resolves the session and user from the database.
 * A token verified before skips the signature check ({@link VerifiedTokens}); the session
 * and user are read on every request all the same.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new VerifiedTokens();

  constructor(
    config: AppConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: (request: RequestWithHeaders) =>
        extractAccessToken(request.headers.authorization),
      // A KeyObject rather than the string: given a string, jsonwebtoken first tries to parse
      // it as a PEM public key, and that throw-and-fall-back on every request cost about a
      // tenth of an authenticated request's CPU. passport-jwt hands the key through unchanged;
      // its types predate KeyObject.
      secretOrKey: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  /**
   * passport-jwt's authenticate, minus the signature check for a token this process verified
   * already: the outcome goes through the same success/fail/error calls as passport-jwt's.
   */
  override authenticate(request: RequestWithHeaders, options?: object): void {
    const token = extractAccessToken(request.headers.authorization);
    const claims = token ? this.verified.claimsOf(token) : undefined;
    if (!claims) return super.authenticate(request as never, options);
    this.validate(request, claims).then(
      (user) => this.success(user),
      (error: unknown) => this.error(error as Error),
    );
  }

  async validate(
    request: RequestWithHeaders,
    claims: Partial<AccessTokenClaims>,
  ): Promise<AuthenticatedUser> {
    const userId = Number(claims.sub);
    if (
      claims.typ !== 'access' ||
      // Every token this service issues expires; one without `exp` was not issued by us.
      typeof claims.exp !== 'number' ||
      typeof claims.sid !== 'string' ||
      !Number.isSafeInteger(userId)
    ) {
      throw new UnauthorizedError('token is invalid');
    }
    const token = extractAccessToken(request.headers.authorization) ?? '';
    // Called by passport-jwt once it has verified the token, or by authenticate() with claims
    // remembered from such a call: the claims are verified either way.
    if (token) this.verified.remember(token, claims as VerifiedClaims);
    const caller = await this.sessions.resolveCaller(claims.sid, userId, token);
    if (!caller) throw new UnauthorizedError('session has ended or the user no longer exists');
    return caller;
  }
}
