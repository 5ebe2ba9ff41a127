import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply } from 'fastify';
import { UnauthorizedError } from '../errors/domain-errors.js';
import { RouteMetadata } from '../http/route-metadata.js';
import { AUTH_MODE_KEY, type AuthMode } from './auth.decorators.js';

/** passport-jwt reasons, translated into messages a client can act on. */
const REASONS: Record<string, string> = {
  TokenExpiredError: 'token has expired',
  JsonWebTokenError: 'token is invalid',
  NotBeforeError: 'token is not active yet',
};

/** Tells a caller of an `@OptionalAuth()` route that its token was ignored (RFC 6750 §3.1). */
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/**
 * Global guard (APP_GUARD): every route requires a valid access token unless marked
 * `@Public()`. `@OptionalAuth()` routes authenticate when a valid token is sent and treat an
 * expired or otherwise invalid one as anonymous, saying so in `WWW-Authenticate`.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly authMode: RouteMetadata<AuthMode>;

  constructor(reflector: Reflector) {
    super();
    this.authMode = new RouteMetadata(reflector, AUTH_MODE_KEY);
  }

  override canActivate(context: ExecutionContext) {
    const mode = this.modeOf(context);
    if (mode === 'public') return true;
    if (mode === 'optional') {
      const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
      if (request.headers.authorization === undefined) return true;
    }
    return super.canActivate(context);
  }

  override handleRequest<TUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context?: ExecutionContext,
  ): TUser {
    // Only an authentication failure makes the caller anonymous: a database outage while
    // resolving the session still fails the request.
    const rejected = !error ? !user : error instanceof UnauthorizedError;
    if (rejected && context && this.modeOf(context) === 'optional') {
      // A stale token is what clients that never refresh send: the public answer is still right.
      void context
        .switchToHttp()
        .getResponse<FastifyReply>()
        .header('www-authenticate', INVALID_TOKEN_CHALLENGE);
      return undefined as TUser;
    }
    if (error) throw error instanceof Error ? error : new UnauthorizedError();
    if (!user) {
      const name = info instanceof Error ? info.name : undefined;
      const message = name && REASONS[name] ? REASONS[name] : 'a valid access token is required';
      throw new UnauthorizedError(message);
    }
    return user;
  }

  private modeOf(context: ExecutionContext): AuthMode | undefined {
    return this.authMode.of(context);
  }
}
