import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountDisabledError, UnauthorizedError } from '../../common/errors/domain-errors.js';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import {
  PasswordHasher,
  UsersService,
  type NewUser,
  User,
  type UserChanges,
} from '../users/index.js';
import { AuditService } from '../audit/index.js';
import { AccessTokenService } from './access-token.service.js';
import { AccountLifecycle } from './account-lifecycle.js';
import type { Session } from './entities/session.entity.js';
import { LoginThrottle } from './login-throttle.js';
import { RecentAuthService } from './recent-auth.service.js';
import { SessionsService } from './sessions.service.js';

/** A user with a fresh pair of tokens. */
export interface IssuedCredentials {
  user: User;
  accessToken: string;
  refreshToken: string;
}

/** What PUT /api/user may change, plus the optional proof of ownership. */
export type AccountChanges = UserChanges & { currentPassword?: string };

/** Registration, login, token refresh and account changes; the rules of who gets which token. */
@Injectable()
export class AuthService {
  constructor(
    private readonly usersService: UsersService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly hasher: PasswordHasher,
    private readonly tx: TransactionRunner,
    private readonly loginThrottle: LoginThrottle,
    private readonly recentAuth: RecentAuthService,
    private readonly audit: AuditService,
    private readonly lifecycle: AccountLifecycle,
  ) {}

  /** Creates the account and its first session in one transaction. */
  async register(input: Omit<NewUser, 'role'>, client: RequestOrigin): Promise<IssuedCredentials> {
    const prepared = await this.usersService.prepare({ ...input, role: 'user' });
    const { user, session, refreshToken } = await this.tx.run(async (manager) => {
      const created = await this.usersService.insert(manager, prepared);
      await this.lifecycle.registered(manager, created);
      return { user: created, ...(await this.sessions.start(manager, created.id, client)) };
    });
    return { user, refreshToken, accessToken: await this.issueAccessToken(user, session) };
  }

  /** Checks the credentials; every attempt, successful or not, is audited. */
  async login(email: string, password: string, client: RequestOrigin): Promise<IssuedCredentials> {
    const account = await this.usersService.findWithPasswordByEmail(email);
    const attempt = await this.loginThrottle.admit(email, client.ip, account?.id);
    let valid: boolean;
    try {
      valid = await this.hasher.verify(account?.passwordHash, password);
    } catch (error) {
      await attempt.release(); // e.g. 503 while hashing is saturated: no guess was made
      throw error;
    }
    if (!account || !valid) {
      await this.audit.record({
        event: 'login.failed',
        targetId: account?.id ?? null,
        origin: client,
        details: { reason: account ? 'wrong_password' : 'unknown_email' },
      });
      throw new UnauthorizedError('email or password is invalid');
    }
    await attempt.release();
    // Said only to whoever knows the password: no oracle for which accounts are disabled.
    if (account.disabledAt) {
      await this.audit.record({
        event: 'login.failed',
        targetId: account.id,
        origin: client,
        details: { reason: 'account_disabled' },
      });
      throw new AccountDisabledError();
    }
    // Hashed before the transaction: no transaction stays open during the slow argon2 work.
    const upgradedHash = await this.hasher.rehashIfOutdated(account.passwordHash, password);
    const { session, refreshToken } = await this.tx.run(async (manager) => {
      if (upgradedHash)
        await this.usersService.upgradePasswordHash(
          manager,
          account.id,
          account.passwordHash,
          upgradedHash,
        );
      const started = await this.sessions.start(manager, account.id, client);
      await this.audit.record(
        {
          event: 'login.succeeded',
          actorId: account.id,
          targetId: account.id,
          origin: client,
          details: { sessionId: started.session.id },
        },
        manager,
      );
      return started;
    });
    // The account read above is the response: nothing is read after COMMIT, so a session that
    // was started is always answered.
    return {
      user: account,
      refreshToken,
      accessToken: await this.issueAccessToken(account, session),
    };
  }

  /**
   * Starts a session for a user another module has authenticated (single sign-on). `claim`
   * runs first in the same transaction and returns the user id, e.g. by consuming a one-time
   * code: if it throws, no session exists.
   */
  async loginExternal(
    claim: (manager: EntityManager) => Promise<number>,
    client: RequestOrigin,
  ): Promise<IssuedCredentials> {
    const { userId, session, refreshToken } = await this.tx.run(async (manager) => {
      const claimed = await claim(manager);
      // A disabled account gets no session, whichever way it signs in (the claim rolls back).
      const account = await manager.findOne(User, {
        where: { id: claimed },
        select: { id: true, disabledAt: true },
      });
      if (account?.disabledAt) throw new AccountDisabledError();
      return { userId: claimed, ...(await this.sessions.start(manager, claimed, client)) };
    });
    const user = await this.usersService.getById(userId);
    // The session's authenticatedAt is now: a single-sign-on login counts as a real login for
    // recent authentication (auth_time), unlike a refresh.
    return { user, refreshToken, accessToken: await this.issueAccessToken(user, session) };
  }

  /** Rotates the refresh token; the access token keeps the session's `auth_time`. */
  async refresh(refreshToken: string, client: RequestOrigin): Promise<IssuedCredentials> {
    const rotated = await this.sessions.rotate(refreshToken, client, (user, session) =>
      this.issueAccessToken(user, session),
    );
    return {
      user: rotated.user,
      refreshToken: rotated.refreshToken,
      accessToken: rotated.accessToken,
    };
  }

  /**
   * PUT /api/user. Identity changes (email, username, password, or a `currentPassword` to
   * check) count against the address's auth budget and the account's change budget before
   * anything is looked up; email and password changes also need recent authentication. A new
   * password ends every other session (whoever knew the old one is logged out) and is audited.
   * A new email only starts the confirmation flow: the address changes when the new one
   * confirms (AccountLifecycle).
   */
  async updateAccount(
    caller: AuthenticatedUser,
    changes: AccountChanges,
    client: RequestOrigin,
  ): Promise<User> {
    const { currentPassword, ...fields } = changes;
    const emailChange =
      fields.email !== undefined && fields.email.toLowerCase() !== caller.email.toLowerCase();
    const passwordChange = fields.password !== undefined;
    const usernameChange = fields.username !== undefined && fields.username !== caller.username;
    if (emailChange || passwordChange || usernameChange || currentPassword !== undefined)
      await this.recentAuth.countAttempt(caller, client.ip ?? 'unknown');
    if (emailChange || passwordChange) await this.recentAuth.assertRecent(caller, currentPassword);
    // A new password ends every other session (whoever knew the old one is logged out), in
    // the same transaction as the change: nothing can fail after it has committed.
    return this.usersService.update(
      caller.id,
      fields,
      passwordChange
        ? async (manager) => {
            await this.sessions.revokeAllExcept(caller.id, caller.sessionId, manager);
            await this.audit.record(
              {
                event: 'password.changed',
                actorId: caller.id,
                targetId: caller.id,
                origin: client,
              },
              manager,
            );
          }
        : undefined,
      (manager, current, email) =>
        this.lifecycle.requestEmailChange(manager, current, email, client),
    );
  }

  private issueAccessToken(user: User, session: Session): Promise<string> {
    return this.accessTokens.issue(user.id, session.id, session.authenticatedAt);
  }
}
