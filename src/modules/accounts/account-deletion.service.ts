import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CacheService } from '../../common/cache/cache.service.js';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { AuditService } from '../audit/index.js';
import { MailOutbox } from '../mail/index.js';
import { TagsService } from '../tags/index.js';
import { User, UsersService } from '../users/index.js';
import { AdminUsersService } from './admin-users.service.js';

/**
 * Deletes the caller's account after re-authentication. The user row goes, and with it (foreign
 * keys ON DELETE CASCADE) its sessions and tokens, articles (with their tags links, favorites and
 * comments), its comments, favorites and follows in both directions; mail to its address leaves
 * the outbox. What stays: one `account.deleted` audit event holding only the former id. The
 * last active administrator cannot delete their account (409).
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly outbox: MailOutbox,
    private readonly audit: AuditService,
    private readonly tags: TagsService,
    private readonly cache: CacheService,
    private readonly tx: TransactionRunner,
    private readonly admins: AdminUsersService,
  ) {}

  /** The caller has re-authenticated (RequireRecentAuth on the route). */
  async delete(caller: AuthenticatedUser): Promise<void> {
    await this.tx.run(async (manager) => {
      const user = await manager.findOneBy(User, { id: caller.id });
      if (!user) throw new NotFoundError('user', caller.id);
      await this.admins.assertNotLastAdmin(manager, user, 'user');
      await this.outbox.forget(manager, user.email);
      await manager.delete(User, { id: user.id });
      await this.audit.record(
        // No email, username or client details: only the former id remains.
        { event: 'account.deleted', actorId: user.id, targetId: user.id },
        manager,
      );
    });
    // Cached article views embed the author and favorite counts; the tag list may shrink.
    await this.cache.invalidate(UsersService.PUBLIC_PROFILE_CACHE);
    await this.tags.linksChanged();
  }
}
