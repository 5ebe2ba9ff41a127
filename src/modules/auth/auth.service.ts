import { Injectable } from '@nestjs/common';
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
    const valid = await this.hasher.verify(account?.passwordHash, password);
    if (!account || !valid) throw new UnauthorizedError('email or password is invalid');
    const { session, refreshToken } = await this.tx.run((manager) =>
      this.sessions.start(manager, account.id, client),
    );
    // The account read above is the response: nothing is read after COMMIT, so a session that
    // was started is always answered.
    return {
      user: account,
      refreshToken,
      accessToken: await this.accessTokens.issue(account.id, session.id),
    };
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
