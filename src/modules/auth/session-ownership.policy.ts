import { Injectable } from '@nestjs/common';
import type { OwnershipPolicy } from '../../common/auth/ownership.guard.js';
import { SessionsService } from './sessions.service.js';

/** A session belongs to the user who started it. */
@Injectable()
export class SessionOwnershipPolicy implements OwnershipPolicy {
  readonly resource = 'session';

  constructor(private readonly sessions: SessionsService) {}

  findOwnerId(params: Record<string, string>): Promise<number | undefined> {
    return this.sessions.findOwnerId(params.id);
  }
}
