import { describe, expect, it } from '@jest/globals';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import {
  RateLimitedError,
  ReauthenticationRequiredError,
  UnauthorizedError,
} from '../../common/errors/domain-errors.js';
import { RateLimiter } from '../../common/rate-limit/rate-limiter.js';
import type { AppConfig } from '../../config/app.config.js';
import { httpContext } from '../../../test/support/execution-context.js';
import type { PasswordHasher, UsersService } from '../users/index.js';
import { RecentAuthService } from './recent-auth.service.js';
import { RecentAuthGuard, RequireRecentAuth } from './require-recent-auth.decorator.js';

const config = {
  auth: { recentAuthMaxAgeSeconds: 600 },
  rateLimit: { windowSeconds: 60, authMax: 100, accountChangeMax: 2, keyPrefix: 'rl:' },
} as AppConfig;

const caller = (minutesSinceLogin: number): AuthenticatedUser => ({
  id: 7,
  username: 'jake',
  email: 'jake@example.com',
  role: 'user',
  sessionId: 'session-1',
  authTime: new Date(Date.now() - minutesSinceLogin * 60_000),
  token: 'access',
});

function setup() {
  const checked: string[] = [];
  const users = { findPasswordHash: async () => 'stored-hash' } as unknown as UsersService;
  const hasher = {
    verify: async (hash: string | undefined, password: string) => {
      checked.push(password);
      return hash === 'stored-hash' && password === 'right-password';
    },
  } as unknown as PasswordHasher;
  const service = new RecentAuthService(config, new RateLimiter(config, null), users, hasher);
  return { service, checked };
}

describe('RecentAuthService', () => {
  it('accepts a login up to RECENT_AUTH_MAX_AGE_SECONDS old, without a password check', async () => {
    const { service, checked } = setup();
    await expect(service.assertRecent(caller(9), undefined)).resolves.toBeUndefined();
    expect(checked).toEqual([]);
  });

  it('refuses an older login with REAUTHENTICATION_REQUIRED keyed by currentPassword', async () => {
    const { service } = setup();
    const refusal = service.assertRecent(caller(11), undefined);
    await expect(refusal).rejects.toBeInstanceOf(ReauthenticationRequiredError);
    await expect(refusal).rejects.toMatchObject({
      status: 403,
      code: 'REAUTHENTICATION_REQUIRED',
      fields: { currentPassword: [expect.stringContaining('10 minutes')] },
    });
  });

  it('accepts the right current password whatever the login age, and always checks one that is sent', async () => {
    const { service, checked } = setup();
    await expect(service.assertRecent(caller(600), 'right-password')).resolves.toBeUndefined();
    await expect(service.assertRecent(caller(0), 'wrong')).rejects.toMatchObject({
      fields: { currentPassword: ['is invalid'] },
    });
    expect(checked).toEqual(['right-password', 'wrong']);
  });

  it('counts attempts per account, whatever the address', async () => {
    const { service } = setup();
    await service.countAttempt(caller(0), '10.0.0.1');
    await service.countAttempt(caller(0), '10.0.0.2');
    await expect(service.countAttempt(caller(0), '10.0.0.3')).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });
});

describe('RequireRecentAuth', () => {
  class Routes {
    @RequireRecentAuth() deleteAccount() {}
  }
  const guard = (service: RecentAuthService) => new RecentAuthGuard(service);
  const request = (user: AuthenticatedUser | undefined, body: unknown) => ({
    ip: '10.0.0.1',
    headers: {},
    user,
    body,
  });

  it('passes a recent login and refuses a stale one', async () => {
    const { service } = setup();
    const fresh = httpContext(Routes, 'deleteAccount', request(caller(1), {}));
    await expect(guard(service).canActivate(fresh)).resolves.toBe(true);
    const stale = httpContext(Routes, 'deleteAccount', request(caller(30), {}));
    await expect(guard(service).canActivate(stale)).rejects.toBeInstanceOf(
      ReauthenticationRequiredError,
    );
  });

  it.each([{ user: { currentPassword: 'right-password' } }, { currentPassword: 'right-password' }])(
    'reads currentPassword from the body (%p)',
    async (body) => {
      const { service, checked } = setup();
      const context = httpContext(Routes, 'deleteAccount', request(caller(30), body));
      await expect(guard(service).canActivate(context)).resolves.toBe(true);
      expect(checked).toEqual(['right-password']);
    },
  );

  it('refuses an anonymous caller', async () => {
    const { service } = setup();
    const context = httpContext(Routes, 'deleteAccount', request(undefined, {}));
    await expect(guard(service).canActivate(context)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
