import { Injectable } from '@nestjs/common';
import type { OwnershipPolicy } from '../../common/auth/ownership.guard.js';
import { {{Entities}}Service } from './{{kebabs}}.service.js';

/**
 * A {{label}} belongs to the user who created it. Used by `@OwnedBy` on every route with an
 * `:id`: unknown or malformed id → 404, someone else's {{label}} → 403.
 */
@Injectable()
export class {{Entity}}OwnershipPolicy implements OwnershipPolicy {
  readonly resource = '{{label}}';

  constructor(private readonly {{entities}}: {{Entities}}Service) {}

  findOwnerId(params: Record<string, string>): Promise<number | undefined> {
    // Only plain decimal ids reach the database: `1e3`, `0x10`, `-1` or `abc` are not found.
    const id = /^\d{1,15}$/.test(params.id) ? Number(params.id) : Number.NaN;
    return this.{{entities}}.ownerIdOf(id);
  }
}
