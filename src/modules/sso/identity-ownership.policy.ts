import { Injectable } from '@nestjs/common';
import type { OwnershipPolicy } from '../../common/auth/ownership.guard.js';
import { IdentitiesService } from './identities.service.js';

/** An identity belongs to the user it is linked to. */
@Injectable()
export class IdentityOwnershipPolicy implements OwnershipPolicy {
  readonly resource = 'identity';

  constructor(private readonly identities: IdentitiesService) {}

  findOwnerId(params: Record<string, string>): Promise<number | undefined> {
    return this.identities.findOwnerId(params.id);
  }
}
