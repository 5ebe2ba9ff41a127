import { describe, expect, it } from '@jest/globals';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { UnauthorizedError } from '../../common/errors/domain-errors.js';
import type { AppConfig } from '../../config/app.config.js';
import { JwtStrategy } from './jwt.strategy.js';
import type { SessionsService } from './sessions.service.js';

const config = { auth: { jwtSecret: 'unit-secret-0123456789abcdefghijklmnop' } } as AppConfig;
const LIVE = { sid: 'session-1', userId: 7 };

const sessions = {
  resolveCaller: async (sessionId: string, userId: number, token: string) =>
    sessionId === LIVE.sid && userId === LIVE.userId
      ? ({ id: userId, sessionId, token, role: 'user' } as AuthenticatedUser)
      : undefined,
} as unknown as SessionsService;

const exp = Math.floor(Date.now() / 1000) + 600;
const request = { headers: { authorization: 'Bearer the.access.token' } };

describe('JwtStrategy.validate', () => {
  const strategy = new JwtStrategy(config, sessions);

  it('resolves the caller of a live session, with the raw token', async () => {
    await expect(
      strategy.validate(request, { sub: '7', sid: 'session-1', typ: 'access', exp }),
    ).resolves.toMatchObject({ id: 7, sessionId: 'session-1', token: 'the.access.token' });
  });

  it.each([
    ['a token of another type', { sub: '7', sid: 'session-1', typ: 'refresh' }],
    ['a token without a type', { sub: '7', sid: 'session-1' }],
    ['a token without a session id', { sub: '7', typ: 'access' }],
    ['a non-numeric subject', { sub: 'jake', sid: 'session-1', typ: 'access' }],
    ['a missing subject', { sid: 'session-1', typ: 'access', exp }],
    ['a token without an expiry', { sub: '7', sid: 'session-1', typ: 'access' }],
  ])('rejects %s as invalid', async (_label, claims) => {
    await expect(strategy.validate(request, claims as never)).rejects.toThrow(
      new UnauthorizedError('token is invalid'),
    );
  });

  it.each([
    ['an ended session', { sub: '7', sid: 'session-2', typ: 'access' as const, exp }],
    ['a session of another user', { sub: '8', sid: 'session-1', typ: 'access' as const, exp }],
  ])('rejects %s', async (_label, claims) => {
    await expect(strategy.validate(request, claims)).rejects.toThrow(
      new UnauthorizedError('session has ended or the user no longer exists'),
    );
  });
});

describe('JwtStrategy.authenticate', () => {
  /** A genuine access token of user 7's session-1, as AccessTokenService signs it. */
  async function signAccessToken(): Promise<string> {
    const { JwtService } = await import('@nestjs/jwt');
    return new JwtService({ secret: config.auth.jwtSecret }).signAsync(
      { sub: '7', sid: 'session-1', typ: 'access', auth_time: 0 },
      { algorithm: 'HS256', expiresIn: 600, issuer: 'conduit-platform', audience: 'conduit-api' },
    );
  }

  /** Runs passport's calling convention: an object made from the strategy, with outcomes. */
  function authenticate(strategy: JwtStrategy, authorization: string) {
    return new Promise<{ outcome: string; value?: unknown }>((resolve) => {
      const attempt = Object.create(strategy) as JwtStrategy;
      Object.assign(attempt, {
        success: (user: unknown) => resolve({ outcome: 'success', value: user }),
        fail: (challenge: unknown) => resolve({ outcome: 'fail', value: challenge }),
        error: (error: unknown) => resolve({ outcome: 'error', value: error }),
      });
      attempt.authenticate({ headers: { authorization } });
    });
  }

  it('verifies an unknown token, then accepts it again without its signature check', async () => {
    const token = await signAccessToken();
    const strategy = new JwtStrategy(config, sessions);
    await expect(authenticate(strategy, `Token ${token}`)).resolves.toMatchObject({
      outcome: 'success',
      value: { id: 7, sessionId: 'session-1' },
    });
    // A remembered token still goes through the session lookup: an ended session fails.
    let live = true;
    const ending = new JwtStrategy(config, {
      resolveCaller: async () => (live ? ({ id: 7 } as AuthenticatedUser) : undefined),
    } as unknown as SessionsService);
    await expect(authenticate(ending, `Token ${token}`)).resolves.toMatchObject({
      outcome: 'success',
    });
    live = false;
    const ended = await authenticate(ending, `Token ${token}`);
    expect(ended.outcome).toBe('error');
    expect(ended.value).toEqual(
      new UnauthorizedError('session has ended or the user no longer exists'),
    );
  });

  it('still rejects a forged token that differs from a remembered one', async () => {
    const token = await signAccessToken();
    const strategy = new JwtStrategy(config, sessions);
    await authenticate(strategy, `Token ${token}`);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: '8', sid: 'session-1', typ: 'access', auth_time: 0, exp }),
    ).toString('base64url');
    const forged = await authenticate(strategy, `Token ${header}.${payload}.${signature}`);
    expect(forged.outcome).toBe('fail');
  });
});
