import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Role } from './role.js';

export const AUTH_MODE_KEY = 'auth:mode';
export const ROLES_KEY = 'auth:roles';
export const ALLOW_UNVERIFIED_KEY = 'auth:allow-unverified';

/** How the global JWT guard treats a route: `required` is the default for every route. */
export type AuthMode = 'required' | 'optional' | 'public';

/** The route needs no token. Also marks the operation as public in Swagger. */
export const Public = () =>
  applyDecorators(SetMetadata(AUTH_MODE_KEY, 'public'), ApiExtension('x-auth', 'public'));

/**
 * The route is public but personalises its output when a valid token is sent (RealWorld
 * `following`/`favorited`). An expired or otherwise invalid token is answered as an anonymous
 * caller, with `WWW-Authenticate: Bearer error="invalid_token"` (clients that never refresh
 * their token keep working).
 */
export const OptionalAuth = () =>
  applyDecorators(SetMetadata(AUTH_MODE_KEY, 'optional'), ApiExtension('x-auth', 'optional'));

/** Restricts a route to callers holding one of the roles (checked after authentication). */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), ApiExtension('x-roles', roles));

/**
 * A write that an account with an unverified email may still make under
 * REQUIRE_VERIFIED_EMAIL (verifying, logging out, account settings, deleting the account).
 */
export const AllowUnverified = () => SetMetadata(ALLOW_UNVERIFIED_KEY, true);
