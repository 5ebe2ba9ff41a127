import { Injectable } from '@nestjs/common';
import { ValidationError } from '../../common/errors/domain-errors.js';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import { accountKey, RateLimiter } from '../../common/rate-limit/rate-limiter.js';
import { AppConfig } from '../../config/app.config.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { AuditService } from '../audit/index.js';
import { SessionsService } from '../auth/index.js';
import { MailOutbox } from '../mail/index.js';
import { PasswordHasher, User } from '../users/index.js';
import { AccountMails } from './account-mails.js';
import { AccountTokens } from './account-tokens.js';
import { INVALID_LINK } from './email-verification.service.js';

/** Forgotten passwords: a mailed single-use link that sets a new password and ends every session. */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly tokens: AccountTokens,
    private readonly mails: AccountMails,
    private readonly outbox: MailOutbox,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
  ) {}

  /**
   * Mails a reset link if an account has this email. Whether it has is never revealed: the
   * caller answers the same either way, and both paths run the same lookup in a transaction.
   */
  async forgot(email: string, origin: RequestOrigin): Promise<void> {
    const address = email.trim().toLowerCase();
    // Per account (whatever the client address), counted for unknown addresses alike: a 429
    // must not tell which addresses have accounts.
    await this.limiter.consume([
      {
        key: `account-mail:${accountKey(address)}`,
        limit: this.config.rateLimit.mailAccountMax,
      },
    ]);
    await this.tx.run(async (manager) => {
      const user = await manager.findOneBy(User, { email: address });
      if (!user) return;
      const token = await this.tokens.issue(
        manager,
        user.id,
        'password_reset',
        user.email,
        this.config.accounts.passwordResetTtlSeconds,
      );
      await this.outbox.enqueue(
        manager,
        this.mails.resetPassword(user.email, user.username, token),
      );
      await this.audit.record(
        { event: 'password.reset_requested', targetId: user.id, origin },
        manager,
      );
    });
  }

  /** Sets the new password and revokes every session; the link works once. */
  async reset(token: string, password: string, origin: RequestOrigin): Promise<void> {
    // Hashed before the transaction: no transaction stays open during the slow argon2 work.
    const passwordHash = await this.hasher.hash(password);
    await this.tx.run(async (manager) => {
      const redeemed = await this.tokens.redeem(manager, token, ['password_reset']);
      const user = redeemed && (await manager.findOneBy(User, { id: redeemed.userId }));
      if (!redeemed || !user || user.email !== redeemed.email)
        throw ValidationError.of('token', INVALID_LINK);
      const now = new Date();
      await manager.update(
        User,
        { id: user.id },
        // The link reached this address: that verifies it as well.
        { passwordHash, updatedAt: now, emailVerifiedAt: user.emailVerifiedAt ?? now },
      );
      const revoked = await this.sessions.revokeAll(manager, user.id, 'password_reset');
      await this.tokens.revoke(manager, user.id, ['password_reset']);
      await this.outbox.enqueue(manager, this.mails.passwordChanged(user.email, user.username));
      await this.audit.record(
        {
          event: 'password.reset',
          targetId: user.id,
          origin,
          details: { sessionsRevoked: revoked },
        },
        manager,
      );
    });
  }
}
