import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../../common/errors/domain-errors.js';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import { AppConfig } from '../../config/app.config.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { AuditService } from '../audit/index.js';
import { AccountLifecycle } from '../auth/index.js';
import { MailOutbox } from '../mail/index.js';
import { User } from '../users/index.js';
import { AccountMails } from './account-mails.js';
import { AccountTokens } from './account-tokens.js';

/** A new verification link no sooner than this after the previous one. */
export const RESEND_COOLDOWN_SECONDS = 60;

export const INVALID_LINK = 'is invalid, has expired or was already used';

/**
 * Email verification and email change: both mail a single-use link, redeemed by
 * `POST /api/auth/email/verify`. An email change takes effect only then; the old address is
 * told when the change is requested and when it happens.
 */
@Injectable()
export class EmailVerificationService extends AccountLifecycle {
  constructor(
    private readonly tokens: AccountTokens,
    private readonly mails: AccountMails,
    private readonly outbox: MailOutbox,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async registered(manager: EntityManager, user: User): Promise<void> {
    await this.sendVerification(manager, user, undefined);
  }

  async resend(caller: AuthenticatedUser, origin: RequestOrigin): Promise<void> {
    await this.tx.run(async (manager) => {
      const user = await manager.findOneBy(User, { id: caller.id });
      if (!user) throw new NotFoundError('user', caller.id);
      if (user.emailVerifiedAt) throw new ConflictError('email', 'is already verified');
      const last = await this.tokens.lastIssuedAt(manager, user.id, 'email_verification');
      const wait = last
        ? Math.ceil((last.getTime() + RESEND_COOLDOWN_SECONDS * 1000 - Date.now()) / 1000)
        : 0;
      if (wait > 0) throw new RateLimitedError(wait);
      await this.sendVerification(manager, user, origin);
    });
  }

  async requestEmailChange(
    manager: EntityManager,
    user: User,
    newEmail: string,
    origin: RequestOrigin,
  ): Promise<void> {
    const token = await this.tokens.issue(
      manager,
      user.id,
      'email_change',
      newEmail,
      this.config.accounts.emailVerificationTtlSeconds,
    );
    await this.outbox.enqueue(manager, this.mails.confirmNewEmail(newEmail, user.username, token));
    await this.outbox.enqueue(
      manager,
      this.mails.emailChangeRequested(user.email, user.username, newEmail),
    );
    await this.audit.record(
      { event: 'email.change_requested', actorId: user.id, targetId: user.id, origin },
      manager,
    );
  }

  /** Redeems a verification or email change link. */
  async verify(token: string, origin: RequestOrigin): Promise<void> {
    await this.tx.run(async (manager) => {
      const redeemed = await this.tokens.redeem(manager, token, [
        'email_verification',
        'email_change',
      ]);
      const user = redeemed && (await manager.findOneBy(User, { id: redeemed.userId }));
      if (!redeemed || !user) throw ValidationError.of('token', INVALID_LINK);
      const now = new Date();
      if (redeemed.purpose === 'email_verification') {
        // The address changed since the link was sent: it proves nothing about the new one.
        if (user.email !== redeemed.email) throw ValidationError.of('token', INVALID_LINK);
        await manager.update(User, { id: user.id }, { emailVerifiedAt: now });
        await this.audit.record(
          { event: 'email.verified', actorId: user.id, targetId: user.id, origin },
          manager,
        );
        return;
      }
      // Someone may have registered the address since the change was requested.
      if (await manager.existsBy(User, { email: redeemed.email })) throw new ConflictError('email');
      await manager.update(
        User,
        { id: user.id },
        { email: redeemed.email, emailVerifiedAt: now, updatedAt: now },
      );
      // Links mailed to the old address must not act on the account any more.
      await this.tokens.revoke(manager, user.id, ['password_reset', 'email_verification']);
      await this.outbox.enqueue(manager, this.mails.emailChanged(user.email, user.username));
      await this.audit.record(
        { event: 'email.changed', actorId: user.id, targetId: user.id, origin },
        manager,
      );
    });
  }

  private async sendVerification(
    manager: EntityManager,
    user: User,
    origin: RequestOrigin | undefined,
  ): Promise<void> {
    const token = await this.tokens.issue(
      manager,
      user.id,
      'email_verification',
      user.email,
      this.config.accounts.emailVerificationTtlSeconds,
    );
    await this.outbox.enqueue(manager, this.mails.verifyEmail(user.email, user.username, token));
    await this.audit.record(
      { event: 'email.verification_sent', actorId: user.id, targetId: user.id, origin },
      manager,
    );
  }
}
