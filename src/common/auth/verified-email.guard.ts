import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '../../config/app.config.js';
import { EmailNotVerifiedError } from '../errors/domain-errors.js';
import { RouteMetadata } from '../http/route-metadata.js';
import { ALLOW_UNVERIFIED_KEY } from './auth.decorators.js';
import type { AuthenticatedUser } from './authenticated-user.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard (after authentication): with REQUIRE_VERIFIED_EMAIL, an authenticated caller
 * whose email is not verified can read but not write (403 EMAIL_NOT_VERIFIED), except on
 * routes marked {@link AllowUnverified}.
 */
@Injectable()
export class VerifiedEmailGuard implements CanActivate {
  private readonly allowsUnverified: RouteMetadata<boolean>;

  constructor(
    reflector: Reflector,
    private readonly config: AppConfig,
  ) {
    this.allowsUnverified = new RouteMetadata(reflector, ALLOW_UNVERIFIED_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.accounts.requireVerifiedEmail) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ method: string; user?: AuthenticatedUser }>();
    if (!request.user || READS.has(request.method) || request.user.emailVerified) return true;
    if (this.allowsUnverified.of(context)) return true;
    throw new EmailNotVerifiedError();
  }
}
