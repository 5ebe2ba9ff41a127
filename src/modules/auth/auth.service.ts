import { Injectable } from '@nestjs/common';
import {
  AccountDisabledError,
  ForbiddenError,
  UnauthorizedError,
} from '../../common/errors/domain-errors.js';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { AuditService } from '../audit/index.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import {
  PasswordHasher,
  UsersService,
  type NewUser,
  type User,
  type UserChanges,
} from '../users/index.js';
import { AccessTokenService } from './access-token.service.js';
import { AccountLifecycle } from './account-lifecycle.js';
import { SessionsService } from './sessions.service.js';

/** A user with a fresh pair of tokens. */
export interface IssuedCredentials {
  user: User;
  accessToken: string;
  refreshToken: string;
}

/** Registration, login and token refresh; the rules of who gets which token. */
@Injectable()
export class AuthService {
  constructor(
    private readonly usersService: UsersService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly hasher: PasswordHasher,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly lifecycle: AccountLifecycle,
  ) {}

  /** Creates the account and its first session in one transaction. */
  async register(input: Omit<NewUser, 'role'>, origin: RequestOrigin): Promise<IssuedCredentials> {
    const prepared = await this.usersService.prepare({ ...input, role: 'user' });
    const { user, session, refreshToken } = await this.tx.run(async (manager) => {
      const created = await this.usersService.insert(manager, prepared);
      await this.lifecycle.registered(manager, created);
      return { user: created, ...(await this.sessions.start(manager, created.id, origin)) };
    });
    return { user, refreshToken, accessToken: await this.accessTokens.issue(user.id, session.id) };
  }

  /** Checks the credentials; every attempt, successful or not, is audited. */
  async login(email: string, password: string, origin: RequestOrigin): Promise<IssuedCredentials> {
    const account = await this.usersService.findWithPasswordByEmail(email);
    const valid = await this.hasher.verify(account?.passwordHash, password);
    if (!account || !valid) {
      await this.audit.record({
        event: 'login.failed',
        targetId: account?.id ?? null,
        origin,
        details: { reason: account ? 'wrong_password' : 'unknown_email' },
      });
      throw new UnauthorizedError('email or password is invalid');
    }
    // Said only to whoever knows the password: no oracle for which accounts are disabled.
    if (account.disabledAt) {
      await this.audit.record({
        event: 'login.failed',
        targetId: account.id,
        origin,
        details: { reason: 'account_disabled' },
      });
      throw new AccountDisabledError();
    }
    const { session, refreshToken } = await this.tx.run(async (manager) => {
      const started = await this.sessions.start(manager, account.id, origin);
      await this.audit.record(
        {
          event: 'login.succeeded',
          actorId: account.id,
          targetId: account.id,
          origin,
          details: { sessionId: started.session.id },
        },
        manager,
      );
      return started;
    });
    const user = await this.usersService.getById(account.id);
    return { user, refreshToken, accessToken: await this.accessTokens.issue(user.id, session.id) };
  }

  async refresh(refreshToken: string, origin?: RequestOrigin): Promise<IssuedCredentials> {
    const rotated = await this.sessions.rotate(refreshToken, origin);
    return {
      user: rotated.user,
      refreshToken: rotated.refreshToken,
      accessToken: await this.accessTokens.issue(rotated.user.id, rotated.session.id),
    };
  }

  /**
   * `PUT /api/user`. A new password ends every other session (whoever knew the old one is
   * logged out) and is audited. A new email needs the current password and only starts the
   * confirmation flow: the address changes when the new one confirms.
   */
  async updateAccount(
    caller: AuthenticatedUser,
    { currentPassword, ...changes }: UserChanges & { currentPassword?: string },
    origin: RequestOrigin,
  ): Promise<User> {
    const newEmail = changes.email?.toLowerCase();
    if (newEmail !== undefined && newEmail !== caller.email) {
      await this.assertCurrentPassword(caller, currentPassword, 'changing the email');
      await this.lifecycle.requestEmailChange(caller, newEmail, origin);
    }
    delete changes.email;
    const user = await this.usersService.update(caller.id, changes);
    if (changes.password !== undefined) {
      await this.sessions.revokeAllExcept(caller.id, caller.sessionId);
      await this.audit.record({
        event: 'password.changed',
        actorId: caller.id,
        targetId: caller.id,
        origin,
      });
    }
    return user;
  }

  /**
   * Re-authentication for sensitive changes: the current password must come with the request.
   */
  async assertCurrentPassword(
    caller: { email: string },
    password: string | undefined,
    action: string,
  ): Promise<void> {
    const account = await this.usersService.findWithPasswordByEmail(caller.email);
    const valid =
      password !== undefined && (await this.hasher.verify(account?.passwordHash, password));
    if (!valid)
      throw new ForbiddenError(`${action} needs your current password in "currentPassword"`);
  }
}
