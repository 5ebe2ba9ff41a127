import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/index.js';
import { AccountLifecycle, AuthModule } from '../auth/index.js';
import { MailModule } from '../mail/index.js';
import { TagsModule } from '../tags/index.js';
import { UsersModule } from '../users/index.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountMails } from './account-mails.js';
import { AccountTokens } from './account-tokens.js';
import { AccountsController } from './accounts.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { AdminUsersService } from './admin-users.service.js';
import { AccountToken } from './entities/account-token.entity.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetService } from './password-reset.service.js';

/**
 * Account lifecycle: email verification and change, password reset, deletion and the admin's
 * actions on accounts. Global only to hand the auth module its {@link AccountLifecycle} (auth
 * cannot import this module, which builds on it).
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([AccountToken]),
    AuthModule,
    UsersModule,
    AuditModule,
    MailModule,
    TagsModule,
  ],
  controllers: [AccountsController, AdminUsersController],
  providers: [
    AccountTokens,
    AccountMails,
    EmailVerificationService,
    PasswordResetService,
    AccountDeletionService,
    AdminUsersService,
    { provide: AccountLifecycle, useExisting: EmailVerificationService },
  ],
  exports: [AccountLifecycle],
})
export class AccountsModule {}
