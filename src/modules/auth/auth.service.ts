import { Injectable } from '@nestjs/common';
import { UnauthorizedError } from '../../common/errors/domain-errors.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import {
  PasswordHasher,
  UsersService,
  type NewUser,
  type User,
  type UserChanges,
} from '../users/index.js';
import { AccessTokenService } from './access-token.service.js';
import type { Session } from './entities/session.entity.js';
import { LoginThrottle } from './login-throttle.js';
import { RecentAuthService } from './recent-auth.service.js';
import { type ClientInfo, SessionsService } from './sessions.service.js';

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
  ) {}

  /** Creates the account and its first session in one transaction. */
  async register(input: Omit<NewUser, 'role'>, client: ClientInfo): Promise<IssuedCredentials> {
    const prepared = await this.usersService.prepare({ ...input, role: 'user' });
    const { user, session, refreshToken } = await this.tx.run(async (manager) => {
      const created = await this.usersService.insert(manager, prepared);
      return { user: created, ...(await this.sessions.start(manager, created.id, client)) };
    });
    return { user, refreshToken, accessToken: await this.issueAccessToken(user, session) };
  }

  async login(email: string, password: string, client: ClientInfo): Promise<IssuedCredentials> {
    const account = await this.usersService.findWithPasswordByEmail(email);
    const attempt = await this.loginThrottle.admit(email, client.ip, account?.id);
    let valid: boolean;
    try {
      valid = await this.hasher.verify(account?.passwordHash, password);
    } catch (error) {
      await attempt.release(); // e.g. 503 while hashing is saturated: no guess was made
      throw error;
    }
    if (!account || !valid) throw new UnauthorizedError('email or password is invalid');
    await attempt.release();
    const { session, refreshToken } = await this.tx.run((manager) =>
      this.sessions.start(manager, account.id, client),
    );
    // The account read above is the response: nothing is read after COMMIT, so a session that
    // was started is always answered.
    return {
      user: account,
      refreshToken,
      accessToken: await this.issueAccessToken(account, session),
    };
  }

  /** Rotates the refresh token; the access token keeps the session's `auth_time`. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<IssuedCredentials> {
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
   * password ends every other session: whoever knew the old one is logged out.
   */
  async updateAccount(
    caller: AuthenticatedUser,
    changes: AccountChanges,
    client: ClientInfo,
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
        ? (manager) => this.sessions.revokeAllExcept(caller.id, caller.sessionId, manager)
        : undefined,
    );
  }

  private issueAccessToken(user: User, session: Session): Promise<string> {
    return this.accessTokens.issue(user.id, session.id, session.authenticatedAt);
  }
}
