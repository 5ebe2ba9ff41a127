import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

/** Claims of an access token. `sid` ties it to a session so revocation takes effect at once. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  typ: 'access';
  /**
   * When the user last really authenticated (seconds since the epoch, OIDC's `auth_time`):
   * the session's login, unchanged by refreshes. Sensitive changes require it to be recent.
   */
  auth_time: number;
  /** Set by the signer from the configured TTL. */
  exp?: number;
}

export const JWT_ALGORITHM = 'HS256';
export const JWT_ISSUER = 'conduit-platform';
export const JWT_AUDIENCE = 'conduit-api';

/** Issues short-lived access tokens (algorithm, issuer, audience and TTL fixed by the module). */
@Injectable()
export class AccessTokenService {
  constructor(private readonly jwt: JwtService) {}

  issue(userId: number, sessionId: string, authTime: Date): Promise<string> {
    const claims: AccessTokenClaims = {
      sub: String(userId),
      sid: sessionId,
      typ: 'access',
      auth_time: Math.floor(authTime.getTime() / 1000),
    };
    return this.jwt.signAsync(claims);
  }
}
