import { describe, expect, it } from '@jest/globals';
import { Reflector } from '@nestjs/core';
import { httpContext } from '../../../test/support/execution-context.js';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-errors.js';
import { Roles } from './auth.decorators.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import type { Role } from './role.js';
import { RolesGuard } from './roles.guard.js';

class Routes {
  open() {}
  @Roles('admin') adminOnly() {}
  @Roles('admin', 'user') anyRole() {}
}

@Roles('admin')
class AdminRoutes {
  inherited() {}
  @Roles('user') overridden() {}
}

const caller = (role: Role): { user: AuthenticatedUser } => ({
  user: {
    id: 1,
    username: 'jake',
    email: 'j@x.io',
    role,
    sessionId: 's',
    authTime: new Date(),
    token: 't',
  },
});

describe('RolesGuard', () => {
  const guard = new RolesGuard(new Reflector());

  it('allows routes without @Roles to anyone, even anonymous callers', () => {
    expect(guard.canActivate(httpContext(Routes, 'open', {}))).toBe(true);
  });

  it('allows a caller holding the required role', () => {
    expect(guard.canActivate(httpContext(Routes, 'adminOnly', caller('admin')))).toBe(true);
  });

  it('throws ForbiddenError naming the role when the caller lacks it', () => {
    const attempt = () => guard.canActivate(httpContext(Routes, 'adminOnly', caller('user')));
    expect(attempt).toThrow(ForbiddenError);
    expect(attempt).toThrow('this action requires the admin role');
  });

  it('accepts any one of several roles', () => {
    expect(guard.canActivate(httpContext(Routes, 'anyRole', caller('user')))).toBe(true);
  });

  it('throws UnauthorizedError when a role is required and nobody is authenticated', () => {
    expect(() => guard.canActivate(httpContext(Routes, 'adminOnly', {}))).toThrow(
      UnauthorizedError,
    );
  });

  it('applies a controller-level @Roles to every handler', () => {
    expect(() => guard.canActivate(httpContext(AdminRoutes, 'inherited', caller('user')))).toThrow(
      ForbiddenError,
    );
  });

  it('lets a handler-level @Roles override the controller', () => {
    expect(guard.canActivate(httpContext(AdminRoutes, 'overridden', caller('user')))).toBe(true);
  });
});
