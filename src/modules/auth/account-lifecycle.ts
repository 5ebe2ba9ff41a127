import type { EntityManager } from 'typeorm';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import type { User } from '../users/index.js';

/**
 * What the account endpoints of this module need from the accounts module, which builds on
 * this one (sessions) and so cannot be imported here: the accounts module provides it.
 */
export abstract class AccountLifecycle {
  /** Inside the registration transaction: mails the link that verifies the address. */
  abstract registered(manager: EntityManager, user: User): Promise<void>;

  /**
   * `PUT /api/user` with a new, available email, inside its transaction: the address changes
   * only once the new one confirms; the old one is told. The caller has re-authenticated.
   */
  abstract requestEmailChange(
    manager: EntityManager,
    user: User,
    newEmail: string,
    origin: RequestOrigin,
  ): Promise<void>;
}
