import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors/domain-errors.js';
import type { AuthenticatedUser } from './authenticated-user.js';

/**
 * How a module tells the ownership guard who owns a resource. Implement it as an injectable
 * provider of the feature module; return `undefined` when the resource does not exist.
 */
export interface OwnershipPolicy {
  /** Human name used in the 404 message, e.g. "article". */
  readonly resource: string;
  /** Looks the resource up from the route params and returns its owner's user id. */
  findOwnerId(params: Record<string, string>): Promise<number | undefined>;
}

const OWNERSHIP_POLICY_KEY = 'auth:ownership-policy';

/**
 * Guard behind {@link OwnedBy}: load → 404 if missing → 403 unless the caller owns it.
 * Keeps ownership out of handlers so no route can forget the check.
 */
@Injectable()
export class OwnershipGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policyType = this.reflector.get<Type<OwnershipPolicy>>(
      OWNERSHIP_POLICY_KEY,
      context.getHandler(),
    );
    const request = context
      .switchToHttp()
      .getRequest<{ user?: AuthenticatedUser; params: Record<string, string> }>();
    if (!request.user) throw new UnauthorizedError();
    const policy = this.moduleRef.get(policyType, { strict: false });
    const ownerId = await policy.findOwnerId(request.params);
    if (ownerId === undefined)
      throw new NotFoundError(policy.resource, Object.values(request.params).at(-1));
    if (ownerId !== request.user.id)
      throw new ForbiddenError(`only the owner may change this ${policy.resource}`);
    return true;
  }
}

/** Allows the route only to the owner of the resource named by the route params (else 403/404). */
export const OwnedBy = (policy: Type<OwnershipPolicy>) =>
  applyDecorators(
    SetMetadata(OWNERSHIP_POLICY_KEY, policy),
    UseGuards(OwnershipGuard),
    ApiExtension('x-owned', true),
  );
