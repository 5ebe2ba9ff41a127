import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-errors.js';
import { RouteMetadata } from '../http/route-metadata.js';
import { ROLES_KEY } from './auth.decorators.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import type { Role } from './role.js';

/** Global guard that enforces `@Roles(...)`; runs after {@link JwtAuthGuard}. */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly requiredRoles: RouteMetadata<Role[]>;

  constructor(reflector: Reflector) {
    this.requiredRoles = new RouteMetadata(reflector, ROLES_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const roles = this.requiredRoles.of(context);
    if (!roles?.length) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user;
    if (!user) throw new UnauthorizedError();
    if (!roles.includes(user.role)) {
      throw new ForbiddenError(`this action requires the ${roles.join(' or ')} role`);
    }
    return true;
  }
}
