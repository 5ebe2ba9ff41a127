import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { UnauthorizedError } from '../../common/errors/domain-errors.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.js';
import { RecentAuthService } from './recent-auth.service.js';

/**
 * `currentPassword` from the raw body: `{ user: { currentPassword } }` (RealWorld style) or
 * `{ currentPassword }`. Guards run before validation, so anything but a string is ignored here
 * (the DTO, which must declare the field with CurrentPasswordField, rejects it afterwards).
 */
function currentPasswordOf(body: unknown): string | undefined {
  const object = body as
    { currentPassword?: unknown; user?: { currentPassword?: unknown } | null } | null | undefined;
  const value = object?.user?.currentPassword ?? object?.currentPassword;
  return typeof value === 'string' ? value : undefined;
}

/** Enforces {@link RequireRecentAuth}; runs after the global JWT guard. */
@Injectable()
export class RecentAuthGuard implements CanActivate {
  constructor(private readonly recentAuth: RecentAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    const caller = request.user;
    if (!caller) throw new UnauthorizedError();
    await this.recentAuth.countAttempt(caller, request.ip);
    await this.recentAuth.assertRecent(caller, currentPasswordOf(request.body));
    return true;
  }
}

/**
 * The route changes something only the account owner may change: it needs the current
 * password in the body (`currentPassword`, declare it with CurrentPasswordField) or an access
 * token from a login less than RECENT_AUTH_MAX_AGE_SECONDS old; otherwise 403
 * REAUTHENTICATION_REQUIRED. Each call also counts against the address's `auth` budget and the
 * account's change budget (429). The module of the controller must import AuthModule.
 */
export const RequireRecentAuth = () =>
  applyDecorators(
    UseGuards(RecentAuthGuard),
    ApiExtension('x-requires-recent-auth', true),
    ApiForbiddenResponse({
      description:
        'REAUTHENTICATION_REQUIRED: send `currentPassword`, or log in again (the last login is too old)',
      type: ErrorEnvelope,
    }),
    ApiTooManyRequestsResponse({ description: 'Too many sensitive changes', type: ErrorEnvelope }),
  );
