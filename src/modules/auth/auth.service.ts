import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnauthorizedError } from '../../common/errors/domain-errors.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { PasswordHasher, UsersService, type NewUser, type User } from '../users/index.js';
import { AccessTokenService } from './access-token.service.js';
import { type ClientInfo, SessionsService } from './sessions.service.js';

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
  ) {}

  /** Creates the account and its first session in one transaction. */
  async register(input: Omit<NewUser, 'role'>, client: ClientInfo): Promise<IssuedCredentials> {
    const prepared = await this.usersService.prepare({ ...input, role: 'user' });
    const { user, session, refreshToken } = await this.tx.run(async (manager) => {
      const created = await this.usersService.insert(manager, prepared);
      return { user: created, ...(await this.sessions.start(manager, created.id, client)) };
    });
    return { user, refreshToken, accessToken: await this.accessTokens.issue(user.id, session.id) };
  }

  async login(email: string, password: string, client: ClientInfo): Promise<IssuedCredentials> {
    const account = await this.usersService.findWithPasswordByEmail(email);
    // Accounts created by single sign-on have an unusable hash: verify() answers false for it.
    const valid = await this.hasher.verify(account?.passwordHash, password);
    if (!account || !valid) throw new UnauthorizedError('email or password is invalid');
    const { session, refreshToken } = await this.tx.run((manager) =>
      this.sessions.start(manager, account.id, client),
    );
    const user = await this.usersService.getById(account.id);
    return { user, refreshToken, accessToken: await this.accessTokens.issue(user.id, session.id) };
  }

  /**
   * Starts a session for a user another module has authenticated (single sign-on). `claim`
   * runs first in the same transaction and returns the user id, e.g. by consuming a one-time
   * code: if it throws, no session exists.
   */
  async loginExternal(
    claim: (manager: EntityManager) => Promise<number>,
    client: ClientInfo,
  ): Promise<IssuedCredentials> {
    const { userId, session, refreshToken } = await this.tx.run(async (manager) => {
      const claimed = await claim(manager);
      return { userId: claimed, ...(await this.sessions.start(manager, claimed, client)) };
    });
    const user = await this.usersService.getById(userId);
    return { user, refreshToken, accessToken: await this.accessTokens.issue(user.id, session.id) };
  }

  async refresh(refreshToken: string): Promise<IssuedCredentials> {
    const rotated = await this.sessions.rotate(refreshToken);
    return {
      user: rotated.user,
      refreshToken: rotated.refreshToken,
      accessToken: await this.accessTokens.issue(rotated.user.id, rotated.session.id),
    };
  }
}
