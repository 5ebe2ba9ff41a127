import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Not, Repository } from 'typeorm';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import type { Role } from '../../common/auth/role.js';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import { UnauthorizedError } from '../../common/errors/domain-errors.js';
import { CompiledSelect } from '../../common/persistence/compiled-select.js';
import { AppConfig } from '../../config/app.config.js';
import type { ListDefinition, Page } from '../../common/pagination/list-definition.js';
import { Paginator } from '../../common/pagination/paginator.js';
import { currentTimestampSql } from '../../database/column-types.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { AuditService, type AuditEventType } from '../audit/index.js';
import { User } from '../users/index.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';
import type { ListSessionsQuery } from './dto/list-sessions.query.js';
import {
  clientFingerprint,
  generateRefreshToken,
  hashRefreshToken,
  openSuccessor,
  sealSuccessor,
} from './refresh-token.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SESSION_LIST: ListDefinition<Session> = {
  name: 'sessions',
  defaultSort: '-createdAt',
  sortable: {
    createdAt: { column: 'session.createdAt', type: 'date' },
    lastUsedAt: { column: 'session.lastUsedAt', type: 'date' },
  },
  tieBreaker: { column: 'session.id', type: 'string' },
};

/** The caller's fields as {@link SessionsService.resolveCaller} reads them. */
interface CallerRow {
  id: number | string;
  username: string;
  email: string;
  role: Role;
  /** Raw driver value: see CompiledSelect.hydrate. */
  authenticatedAt: unknown;
  /** Raw driver value; null while the address is unverified. */
  emailVerifiedAt: unknown;
}

/** Where a session was started from; shown in the session list. */
export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

/** Signs the access token that goes with a rotated refresh token. */
export type AccessTokenIssuer = (user: User, session: Session) => Promise<string>;

/** A session's new pair of tokens. */
export interface RotatedPair {
  session: Session;
  user: User;
  refreshToken: string;
  accessToken: string;
}

export type RevokeReason =
  | 'logout'
  | 'revoked_by_user'
  | 'refresh_token_reuse'
  | 'password_changed'
  | 'password_reset'
  | 'account_disabled';

/** The audit event recorded when one session is revoked for a reason. */
const REVOKE_EVENTS: Partial<Record<RevokeReason, AuditEventType>> = {
  logout: 'logout',
  revoked_by_user: 'session.revoked',
  refresh_token_reuse: 'refresh_token.reused',
};

/**
 * Owns sessions and refresh-token rotation. Each session is one refresh-token family: every
 * token is single-use, and presenting a used one revokes the family (it has been stolen).
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);
  /** Every authenticated request runs this: compiled once (see CompiledSelect). */
  private readonly callerLookup: CompiledSelect<Session, CallerRow>;

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
    private readonly paginator: Paginator,
    private readonly audit: AuditService,
  ) {
    this.callerLookup = new CompiledSelect(sessions, 'session', (builder) =>
      builder
        .innerJoin('session.user', 'user')
        .select('user.id', 'id')
        .addSelect('user.username', 'username')
        .addSelect('user.email', 'email')
        .addSelect('user.role', 'role')
        .addSelect('user.emailVerifiedAt', 'emailVerifiedAt')
        .addSelect('session.authenticatedAt', 'authenticatedAt')
        .where('session.id = :sessionId')
        .andWhere('session.userId = :userId')
        .andWhere('session.revokedAt IS NULL')
        // Disabling an account revokes its sessions; this keeps a straggler out all the same.
        .andWhere('user.disabledAt IS NULL')
        .andWhere(`session.expiresAt > ${currentTimestampSql}`),
    );
  }

  /** Starts a session inside the caller's transaction and returns its first refresh token. */
  async start(
    manager: EntityManager,
    userId: number,
    client: ClientInfo,
  ): Promise<{ session: Session; refreshToken: string }> {
    const now = new Date();
    const session = manager.create(Session, {
      id: randomUUID(),
      userId,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip?.slice(0, 64) ?? null,
      createdAt: now,
      authenticatedAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.config.auth.refreshTokenTtlSeconds * 1000),
      revokedAt: null,
      revokedReason: null,
    });
    await manager.insert(Session, session);
    const refreshToken = await this.addRefreshToken(manager, session.id);
    return { session, refreshToken };
  }

  /**
   * Exchanges a refresh token for a new pair in the same session. A token that was already used
   * revokes the session and fails; so does one of a revoked or expired session.
   *
   * Grace: the same token presented again within REFRESH_GRACE_SECONDS of its rotation, by the
   * same client (address and user agent), while the pair it produced is still unused, gets that
   * same pair back: two tabs refreshing at once, or a retry after a lost response, must not log
   * the user out. Anything else (later, another client, or after the successor was used) is
   * reuse. The pair is kept sealed under the old token, so only its holder can read it.
   */
  async rotate(
    token: string,
    client: ClientInfo,
    issueAccessToken: AccessTokenIssuer,
  ): Promise<RotatedPair> {
    const tokenHash = hashRefreshToken(token);
    const outcome = await this.tx.run(async (manager) => {
      const stored = await manager.findOne(RefreshToken, {
        where: { tokenHash },
        relations: { session: { user: true } },
      });
      if (!stored?.session?.user) return { kind: 'unknown' as const };
      const session = stored.session;
      const user = session.user as User;
      if (session.revokedAt || session.expiresAt.getTime() <= Date.now())
        return { kind: 'inactive' as const };

      if (!stored.usedAt) {
        // The successor is prepared first, so the claim and the sealed pair are one write.
        const now = new Date();
        const refreshToken = generateRefreshToken();
        const accessToken = await issueAccessToken(user, session);
        const successorSealed = sealSuccessor(token, {
          refreshToken,
          accessToken,
          client: clientFingerprint(client),
        });
        // Conditional update: of two concurrent exchanges of one token, exactly one claims it.
        const claimed = await manager.update(
          RefreshToken,
          { id: stored.id, usedAt: IsNull() },
          { usedAt: now, successorSealed },
        );
        if (claimed.affected === 1) {
          await manager.update(Session, { id: session.id }, { lastUsedAt: now });
          await this.insertRefreshToken(manager, session.id, refreshToken);
          return { kind: 'rotated' as const, session, user, refreshToken, accessToken };
        }
      }
      // Used before, or claimed by a concurrent request since: read what the winner committed.
      const current = await manager.findOneBy(RefreshToken, { id: stored.id });
      const successor = current && (await this.graceSuccessor(manager, token, current, client));
      if (successor) return { kind: 'rotated' as const, session, user, ...successor };
      return { kind: 'reused' as const, sessionId: session.id };
    });
    if (outcome.kind === 'rotated') return outcome;
    if (outcome.kind === 'reused') {
      await this.revoke(outcome.sessionId, 'refresh_token_reuse', client);
      this.logger.warn(
        { sessionId: outcome.sessionId },
        'refresh token reuse detected; session revoked',
      );
      throw new UnauthorizedError(
        'refresh token has already been used; the session has been revoked',
      );
    }
    throw new UnauthorizedError(
      outcome.kind === 'inactive' ? 'session has ended' : 'refresh token is invalid',
    );
  }

  /** The pair a used token produced, if this presentation is within its grace (see rotate). */
  private async graceSuccessor(
    manager: EntityManager,
    token: string,
    used: RefreshToken,
    client: ClientInfo,
  ): Promise<{ refreshToken: string; accessToken: string } | undefined> {
    const graceMs = this.config.auth.refreshGraceSeconds * 1000;
    if (graceMs === 0 || !used.usedAt || !used.successorSealed) return undefined;
    if (Date.now() - used.usedAt.getTime() > graceMs) return undefined;
    const successor = openSuccessor(token, used.successorSealed);
    if (!successor || successor.client !== clientFingerprint(client)) return undefined;
    const next = await manager.findOne(RefreshToken, {
      where: { tokenHash: hashRefreshToken(successor.refreshToken) },
      select: { id: true, usedAt: true },
    });
    // The family has moved on: whoever presents the old token now is not the client that did.
    if (!next || next.usedAt) return undefined;
    return { refreshToken: successor.refreshToken, accessToken: successor.accessToken };
  }

  /**
   * Ends a session; its access and refresh tokens stop working immediately. Idempotent. The
   * first revocation is audited (actor: the session's owner, except for reuse detection).
   */
  async revoke(sessionId: string, reason: RevokeReason, origin?: RequestOrigin): Promise<void> {
    await this.tx.run(async (manager) => {
      const session = await manager.findOne(Session, {
        where: { id: sessionId },
        select: { id: true, userId: true },
      });
      const ended = await manager.update(
        Session,
        { id: sessionId, revokedAt: IsNull() },
        { revokedAt: new Date(), revokedReason: reason },
      );
      const event = REVOKE_EVENTS[reason];
      if (session && event && ended.affected === 1) {
        const actorId = reason === 'refresh_token_reuse' ? null : session.userId;
        await this.audit.record(
          { event, actorId, targetId: session.userId, origin, details: { sessionId } },
          manager,
        );
      }
    });
  }

  /**
   * Ends all of the user's sessions but one (after a password change), in the caller's unit of
   * work when `manager` is given.
   */
  async revokeAllExcept(
    userId: number,
    keepSessionId: string,
    manager?: EntityManager,
  ): Promise<void> {
    const revoke = (within: EntityManager) =>
      this.revokeAll(within, userId, 'password_changed', keepSessionId);
    await (manager ? revoke(manager) : this.tx.run(revoke));
  }

  /**
   * Ends every session of the user (but `keepSessionId`) inside the caller's transaction: after
   * a password reset, when an administrator disables the account.
   */
  async revokeAll(
    manager: EntityManager,
    userId: number,
    reason: RevokeReason,
    keepSessionId?: string,
  ): Promise<number> {
    const where = keepSessionId
      ? { userId, id: Not(keepSessionId), revokedAt: IsNull() }
      : { userId, revokedAt: IsNull() };
    const result = await manager.update(Session, where, {
      revokedAt: new Date(),
      revokedReason: reason,
    });
    return result.affected ?? 0;
  }

  /** The user's sessions that can still be refreshed, newest first. */
  listActive(userId: number, query: ListSessionsQuery): Promise<Page<Session>> {
    const builder = this.sessions
      .createQueryBuilder('session')
      .where('session.userId = :userId', { userId })
      .andWhere('session.revokedAt IS NULL')
      .andWhere(`session.expiresAt > ${currentTimestampSql}`);
    return this.paginator.paginate(builder, query, SESSION_LIST);
  }

  async findOwnerId(sessionId: string): Promise<number | undefined> {
    // Ids are UUIDs: anything else is unknown on both databases (PostgreSQL would reject the
    // comparison with a uuid column instead of finding nothing).
    if (!UUID_PATTERN.test(sessionId)) return undefined;
    const session = await this.sessions.findOne({
      where: { id: sessionId },
      select: { id: true, userId: true },
    });
    return session?.userId;
  }

  /**
   * Resolves an access token's subject: the session must be live and the user must still
   * exist. One indexed query per authenticated request.
   */
  async resolveCaller(
    sessionId: string,
    userId: number,
    token: string,
  ): Promise<AuthenticatedUser | undefined> {
    const user = await this.callerLookup.one({ sessionId, userId });
    if (!user) return undefined;
    return {
      id: Number(user.id),
      username: user.username,
      email: user.email,
      role: user.role,
      sessionId,
      authTime: this.callerLookup.hydrate('authenticatedAt', user.authenticatedAt),
      token,
      emailVerified: user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined,
    };
  }

  /**
   * Whether the user ever started a session from this address: a device of the owner, which
   * keeps its own login budget while the account is under distributed attack.
   */
  hasStartedFrom(userId: number, ip: string | undefined): Promise<boolean> {
    if (!ip) return Promise.resolve(false);
    return this.sessions.exists({ where: { userId, ip: ip.slice(0, 64) } });
  }

  private async addRefreshToken(manager: EntityManager, sessionId: string): Promise<string> {
    const token = generateRefreshToken();
    await this.insertRefreshToken(manager, sessionId, token);
    return token;
  }

  private async insertRefreshToken(
    manager: EntityManager,
    sessionId: string,
    token: string,
  ): Promise<void> {
    await manager.insert(RefreshToken, {
      id: randomUUID(),
      sessionId,
      tokenHash: hashRefreshToken(token),
      createdAt: new Date(),
      usedAt: null,
      successorSealed: null,
    });
  }
}
