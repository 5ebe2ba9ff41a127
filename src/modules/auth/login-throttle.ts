import { Injectable } from '@nestjs/common';
import { RateLimitedError } from '../../common/errors/domain-errors.js';
import { accountKey, RateLimiter } from '../../common/rate-limit/rate-limiter.js';
import { AppConfig } from '../../config/app.config.js';
import { SessionsService } from './sessions.service.js';

/** An admitted login attempt; tell the throttle how it ended. */
export interface LoginAttempt {
  /** Takes the attempt back from the budgets: the password was right, or never checked. */
  release(): Promise<void>;
}

/**
 * Password-guessing budgets of POST /api/users/login, on top of the `auth` bucket per address:
 *
 * - per (account, address): RATE_LIMIT_LOGIN_ADDRESS_MAX failed logins per window. One guesser
 *   is stopped after a handful of tries, and only on that account from that address;
 * - per account: RATE_LIMIT_LOGIN_ACCOUNT_MAX (much higher) failed logins per window from all
 *   addresses together. Beyond it the account is closed to addresses that never logged into it
 *   (distributed guessing stops), while addresses the owner has used (a session was started
 *   from them) keep only their own per-address budget, so the owner still gets in.
 *
 * Attempts are counted when admitted (atomically, so concurrent guesses cannot slip past a
 * budget) and taken back when the password was right: only failures use the budgets up.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * Admits an attempt on `email` from `ip` (the account's id when it exists) or throws 429.
   * Nothing is checked or counted when the email cannot name an account.
   */
  async admit(
    email: string,
    ip: string | undefined,
    userId: number | undefined,
  ): Promise<LoginAttempt> {
    const account = accountKey(email);
    if (!account) return { release: async () => undefined };
    const { loginAddressMax, loginAccountMax } = this.config.rateLimit;
    const pairKey = `login-failed:${account}:${ip ?? 'unknown'}`;
    const accountWideKey = `login-failed:${account}`;

    const pair = await this.limiter.hit(pairKey);
    if (pair && pair.count > loginAddressMax) throw new RateLimitedError(pair.resetSeconds);
    const total = await this.limiter.hit(accountWideKey);
    if (total && total.count > loginAccountMax) {
      const ownersAddress =
        userId !== undefined && (await this.sessions.hasStartedFrom(userId, ip));
      if (!ownersAddress) {
        await this.limiter.release(accountWideKey);
        throw new RateLimitedError(total.resetSeconds);
      }
    }
    return {
      release: async () => {
        await Promise.all([this.limiter.release(pairKey), this.limiter.release(accountWideKey)]);
      },
    };
  }
}
