import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { UnauthorizedError } from '../errors/domain-errors.js';
import { AUTH_MODE_KEY, type AuthMode } from './auth.decorators.js';

/** passport-jwt reasons, translated into messages a client can act on. */
const REASONS: Record<string, string> = {
  TokenExpiredError: 'token has expired',
  JsonWebTokenError: 'token is invalid',
  NotBeforeError: 'token is not active yet',
};

/**
 * Global guard (APP_GUARD): every route requires a valid access token unless marked
 * `@Public()`; `@OptionalAuth()` routes authenticate only when a token is sent.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (mode === 'public') return true;
    if (mode === 'optional') {
      const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
      if (request.headers.authorization === undefined) return true;
    }
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error) throw error instanceof Error ? error : new UnauthorizedError();
    if (!user) {
      const name = info instanceof Error ? info.name : undefined;
      const message = name && REASONS[name] ? REASONS[name] : 'a valid access token is required';
      throw new UnauthorizedError(message);
    }
    return user;
  }
}
