import { beforeEach, describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { UnauthorizedError } from '../../common/errors/domain-errors.js';
import type { TransactionRunner } from '../../database/transaction-runner.js';
import type { NewUser, PasswordHasher, PreparedUser, User, UsersService } from '../users/index.js';
import type { AccessTokenService } from './access-token.service.js';
import type { AuditRecord, AuditService } from '../audit/index.js';
import type { AccountLifecycle } from './account-lifecycle.js';
import { AuthService } from './auth.service.js';
import type { Session } from './entities/session.entity.js';
import type { LoginThrottle } from './login-throttle.js';
import type { RecentAuthService } from './recent-auth.service.js';
import type { SessionsService } from './sessions.service.js';

const JAKE = { id: 7, email: 'jake@example.com', username: 'jake', role: 'user' } as User;
const CLIENT = { userAgent: 'jest', ip: '10.0.0.1' };
const SESSION = { id: 'session-1', authenticatedAt: new Date(1_700_000_000_000) } as Session;

/** Hand-written fakes that record what the service asks of its collaborators. */
function setup() {
  const calls = {
    prepared: [] as NewUser[],
    verified: [] as Array<{ hash: string | undefined; password: string }>,
    started: [] as number[],
    issued: [] as Array<[number, string]>,
    audited: [] as AuditRecord[],
    upgraded: [] as Array<[EntityManager, number, string, string]>,
  };
  const manager = {} as EntityManager;
  const users = {
    prepare: async (input: NewUser) => {
      calls.prepared.push(input);
      return { ...input, passwordHash: 'hash' } as PreparedUser;
    },
    insert: async () => JAKE,
    findWithPasswordByEmail: async (email: string) =>
      email === JAKE.email ? ({ ...JAKE, passwordHash: 'stored-hash' } as User) : null,
    getById: async () => JAKE,
    upgradePasswordHash: async (
      inTransaction: EntityManager,
      id: number,
      current: string,
      upgraded: string,
    ) => {
      calls.upgraded.push([inTransaction, id, current, upgraded]);
    },
  } as unknown as UsersService;
  const sessions = {
    start: async (_manager: EntityManager, userId: number) => {
      calls.started.push(userId);
      return { session: SESSION, refreshToken: 'refresh-1' };
    },
    rotate: async (
      token: string,
      _client: unknown,
      issue: (user: User, session: Session) => Promise<string>,
    ) => {
      if (token !== 'refresh-1') throw new UnauthorizedError('refresh token is invalid');
      return {
        session: SESSION,
        user: JAKE,
        refreshToken: 'refresh-2',
        accessToken: await issue(JAKE, SESSION),
      };
    },
  } as unknown as SessionsService;
  const accessTokens = {
    issue: async (userId: number, sessionId: string, authTime: Date) => {
      expect(authTime).toBe(SESSION.authenticatedAt);
      calls.issued.push([userId, sessionId]);
      return `access-for-${userId}-${sessionId}`;
    },
  } as unknown as AccessTokenService;
  const hasher = {
    verify: async (hash: string | undefined, password: string) => {
      calls.verified.push({ hash, password });
      return hash === 'stored-hash' && password === 'right-password';
    },
    // The stored hash is outdated: a login rehashes it.
    rehashIfOutdated: async (hash: string, password: string) => `${hash}-rehashed-${password}`,
  } as unknown as PasswordHasher;
  const tx = { run: (work: (m: EntityManager) => Promise<unknown>) => work(manager) };
  const service = new AuthService(
    users,
    sessions,
    accessTokens,
    hasher,
    tx as unknown as TransactionRunner,
    {
      admit: async () => ({ release: async () => undefined }),
    } as unknown as LoginThrottle,
    {} as RecentAuthService,
    {
      record: async (record: AuditRecord) => {
        calls.audited.push(record);
      },
    } as unknown as AuditService,
    { registered: async () => undefined } as unknown as AccountLifecycle,
  );
  return { service, calls, transaction: manager };
}

describe('AuthService', () => {
  let service: AuthService;
  let calls: ReturnType<typeof setup>['calls'];
  let transaction: EntityManager;

  beforeEach(() => {
    ({ service, calls, transaction } = setup());
  });

  describe('register', () => {
    it('creates the account with the user role, whatever the input says', async () => {
      const input = { email: 'a@b.io', username: 'a', password: 'p', role: 'admin' };
      await service.register(input as NewUser, CLIENT);
      expect(calls.prepared).toEqual([
        { email: 'a@b.io', username: 'a', password: 'p', role: 'user' },
      ]);
    });

    it('starts a session and returns tokens bound to it', async () => {
      const issued = await service.register(
        { email: 'a@b.io', username: 'a', password: 'p' },
        CLIENT,
      );
      expect(calls.started).toEqual([JAKE.id]);
      expect(issued).toEqual({
        user: JAKE,
        refreshToken: 'refresh-1',
        accessToken: 'access-for-7-session-1',
      });
    });
  });

  describe('login', () => {
    it('starts a session for the right password', async () => {
      const issued = await service.login(JAKE.email, 'right-password', CLIENT);
      expect(issued.accessToken).toBe('access-for-7-session-1');
      expect(calls.started).toEqual([JAKE.id]);
    });

    it('replaces an outdated hash in the transaction that starts the session', async () => {
      await service.login(JAKE.email, 'right-password', CLIENT);
      expect(calls.upgraded).toEqual([
        [transaction, JAKE.id, 'stored-hash', 'stored-hash-rehashed-right-password'],
      ]);
      expect(calls.upgraded[0][0]).toBe(transaction);
    });

    it('rejects a wrong password without starting a session, and audits the failure', async () => {
      await expect(service.login(JAKE.email, 'wrong', CLIENT)).rejects.toThrow(
        new UnauthorizedError('email or password is invalid'),
      );
      expect(calls.started).toEqual([]);
      expect(calls.audited).toEqual([
        {
          event: 'login.failed',
          targetId: JAKE.id,
          origin: CLIENT,
          details: { reason: 'wrong_password' },
        },
      ]);
    });

    it('rejects an unknown email with the same message, after a password check all the same', async () => {
      await expect(service.login('nobody@example.com', 'right-password', CLIENT)).rejects.toThrow(
        new UnauthorizedError('email or password is invalid'),
      );
      expect(calls.verified).toEqual([{ hash: undefined, password: 'right-password' }]);
      expect(calls.started).toEqual([]);
    });
  });

  describe('refresh', () => {
    it('issues an access token for the rotated session', async () => {
      expect(await service.refresh('refresh-1', CLIENT)).toEqual({
        user: JAKE,
        refreshToken: 'refresh-2',
        accessToken: 'access-for-7-session-1',
      });
    });

    it('issues nothing when rotation fails', async () => {
      await expect(service.refresh('stolen', CLIENT)).rejects.toBeInstanceOf(UnauthorizedError);
      expect(calls.issued).toEqual([]);
    });
  });
});
