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

type RequestWithHeaders = { headers: Record<string, string | string[] | undefined> };

/**
 * Verifies access tokens: HS256 only (so `alg: none` and key-confusion tokens fail), with
 * issuer, audience and expiry checked, then resolves the session and user from the database.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
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
    const caller = await this.sessions.resolveCaller(claims.sid, userId, token);
    if (!caller) throw new UnauthorizedError('session has ended or the user no longer exists');
    return caller;
  }
}
