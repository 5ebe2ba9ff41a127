import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { ReauthenticationRequiredError } from '../../common/errors/domain-errors.js';
import { bucketKey } from '../../common/rate-limit/rate-limit.guard.js';
import { RateLimiter } from '../../common/rate-limit/rate-limiter.js';
import { AppConfig } from '../../config/app.config.js';
import { PasswordHasher, UsersService } from '../users/index.js';

/**
 * Recent authentication for sensitive account changes (email, password, deletion…): a leaked
 * access token alone must not be enough to take an account over. The caller proves they are
 * the owner with the current password, or by a real login (password or SSO, not a refresh)
 * less than RECENT_AUTH_MAX_AGE_SECONDS ago: the session's `authenticatedAt`, which the access
 * token carries as `auth_time`.
 *
 * Routes that always need it use {@link RequireRecentAuth}; routes where only some inputs are
 * sensitive (PUT /api/user) call {@link countAttempt} and {@link assertRecent} themselves.
 */
@Injectable()
export class RecentAuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
    private readonly usersService: UsersService,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * Counts one sensitive attempt against the client address's `auth` budget (shared with
   * register, login and refresh) and the account's RATE_LIMIT_ACCOUNT_CHANGE_MAX budget; 429
   * when either is spent. Call it before any password check or uniqueness answer.
   */
  countAttempt(caller: AuthenticatedUser, ip: string): Promise<void> {
    const { rateLimit } = this.config;
    return this.limiter.consume([
      { key: bucketKey('auth', ip), limit: rateLimit.authMax },
      { key: `account-change:${caller.id}`, limit: rateLimit.accountChangeMax },
    ]);
  }

  /** Whether the caller's last real login is within RECENT_AUTH_MAX_AGE_SECONDS. */
  isRecent(caller: AuthenticatedUser): boolean {
    const ageMs = Date.now() - caller.authTime.getTime();
    return ageMs <= this.config.auth.recentAuthMaxAgeSeconds * 1000;
  }

  /**
   * Passes when `currentPassword` is right or, without one, when the last real login is recent;
   * otherwise 403 REAUTHENTICATION_REQUIRED keyed by `currentPassword`. A password that is sent
   * is always checked (argon2 work: call {@link countAttempt} first).
   */
  async assertRecent(
    caller: AuthenticatedUser,
    currentPassword: string | undefined,
  ): Promise<void> {
    if (currentPassword !== undefined) {
      const hash = await this.usersService.findPasswordHash(caller.id);
      if (await this.hasher.verify(hash, currentPassword)) return;
      throw new ReauthenticationRequiredError('is invalid');
    }
    if (this.isRecent(caller)) return;
    const minutes = Math.round(this.config.auth.recentAuthMaxAgeSeconds / 60);
    throw new ReauthenticationRequiredError(
      `is required: this change needs the current password or a login less than ${minutes} minutes old`,
    );
  }
}
