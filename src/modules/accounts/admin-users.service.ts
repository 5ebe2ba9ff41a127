import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import type { Role } from '../../common/auth/role.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-errors.js';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { AuditService } from '../audit/index.js';
import { SessionsService } from '../auth/index.js';
import { User, UsersService } from '../users/index.js';

export interface AdminUserChanges {
  role?: Role;
  disabled?: boolean;
}

/** What administrators do to accounts: change the role, disable and enable. All audited. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly users: UsersService,
  ) {}

  get(id: number): Promise<User> {
    return this.users.getById(id);
  }

  /**
   * Applies the changes in one transaction. Demoting or disabling the last active administrator
   * is refused (409); on PostgreSQL the active administrators are locked first, so two admins
   * demoting each other at once cannot both succeed. Disabling ends every session at once.
   */
  async update(
    actor: AuthenticatedUser,
    id: number,
    changes: AdminUserChanges,
    origin: RequestOrigin,
  ): Promise<User> {
    return this.tx.run(async (manager) => {
      const user = await manager.findOneBy(User, { id });
      if (!user) throw new NotFoundError('user', id);
      const activeAdmin = user.role === 'admin' && !user.disabledAt;
      const demoted = changes.role !== undefined && changes.role !== 'admin';
      const disabling = changes.disabled === true && !user.disabledAt;
      if (activeAdmin && (demoted || disabling))
        await this.assertNotLastAdmin(manager, user, demoted ? 'role' : 'disabled');
      const now = new Date();
      const record = (
        event: 'user.role_changed' | 'user.disabled' | 'user.enabled',
        details?: Record<string, string | number>,
      ) => this.audit.record({ event, actorId: actor.id, targetId: id, origin, details }, manager);

      if (changes.role !== undefined && changes.role !== user.role) {
        await manager.update(User, { id }, { role: changes.role, updatedAt: now });
        await record('user.role_changed', { from: user.role, to: changes.role });
      }
      if (disabling) {
        await manager.update(User, { id }, { disabledAt: now, updatedAt: now });
        const revoked = await this.sessions.revokeAll(manager, id, 'account_disabled');
        await record('user.disabled', { sessionsRevoked: revoked });
      } else if (changes.disabled === false && user.disabledAt) {
        await manager.update(User, { id }, { disabledAt: null, updatedAt: now });
        await record('user.enabled');
      }
      return manager.findOneByOrFail(User, { id });
    });
  }

  /**
   * 409 when `user` is the only active administrator (demotion, disabling, deletion). On
   * PostgreSQL the active administrators stay locked until the transaction ends.
   */
  async assertNotLastAdmin(manager: EntityManager, user: User, field: string): Promise<void> {
    if (user.role !== 'admin' || user.disabledAt) return;
    const others = (await this.lockActiveAdmins(manager)).filter((admin) => admin !== user.id);
    if (others.length === 0) throw new ConflictError(field, 'would leave no active administrator');
  }

  /** Ids of the active administrators, locked until the transaction ends (PostgreSQL). */
  private async lockActiveAdmins(manager: EntityManager): Promise<number[]> {
    const query = manager
      .createQueryBuilder(User, 'user')
      .select('user.id')
      .where("user.role = 'admin'")
      .andWhere('user.disabledAt IS NULL');
    // SQLite has no row locks; its transactions already run one at a time.
    if (manager.connection.options.type === 'postgres') query.setLock('pessimistic_write');
    return (await query.getMany()).map((admin) => admin.id);
  }
}
