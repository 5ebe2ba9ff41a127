import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { IDToken } from 'openid-client';
import type { EntityManager, Repository } from 'typeorm';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors/domain-errors.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { OidcProviderConfig } from '../../config/oidc.config.js';
import { User, UsersService } from '../users/index.js';
import { UserIdentity } from './entities/user-identity.entity.js';

/** What the provider asserted about the person, after validation. */
export interface VerifiedClaims extends Pick<IDToken, 'iss' | 'sub'> {
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
}

/**
 * Identities linked to accounts, keyed by (issuer, subject). Decides who a login is: the
 * linked user, a new user, or (with proof of ownership) an existing user being linked.
 */
@Injectable()
export class IdentitiesService {
  private readonly logger = new Logger(IdentitiesService.name);

  constructor(
    @InjectRepository(UserIdentity) private readonly identities: Repository<UserIdentity>,
    private readonly users: UsersService,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * The user this login is for. `linkUserId`: a logged-in user asked to link the provider.
   * Never links by email alone: a matching local account must log in and link explicitly.
   */
  resolve(
    provider: OidcProviderConfig,
    claims: VerifiedClaims,
    linkUserId: number | null,
  ): Promise<{ userId: number; outcome: 'returning' | 'created' | 'linked' }> {
    return this.tx.run(async (manager) => {
      const now = new Date();
      const existing = await manager.findOneBy(UserIdentity, {
        issuer: claims.iss,
        subject: claims.sub,
      });
      const email = typeof claims.email === 'string' ? claims.email.slice(0, 255) : null;
      if (existing) {
        if (linkUserId !== null && existing.userId !== linkUserId) {
          throw new ConflictError('identity', 'is already linked to another account');
        }
        await manager.update(UserIdentity, { id: existing.id }, { lastLoginAt: now, email });
        return { userId: existing.userId, outcome: 'returning' as const };
      }
      if (linkUserId !== null) {
        await this.link(manager, provider, claims, linkUserId, now);
        return { userId: linkUserId, outcome: 'linked' as const };
      }
      if (!email || claims.email_verified !== true) {
        throw new ForbiddenError(
          `${provider.displayName} did not assert a verified email; an account cannot be created`,
        );
      }
      if (await this.users.findByEmail(email, manager)) {
        throw new ConflictError(
          'email',
          'belongs to an existing account: log in to it and link this provider from there',
        );
      }
      const user = await this.users.insertExternal(manager, {
        email,
        usernameCandidate: usernameFrom(claims),
      });
      await this.link(manager, provider, claims, user.id, now);
      return { userId: user.id, outcome: 'created' as const };
    });
  }

  /** The user's linked identities, oldest first. */
  list(userId: number): Promise<UserIdentity[]> {
    return this.identities.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async findOwnerId(id: string): Promise<number | undefined> {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const identity = await this.identities.findOne({
      where: { id: Number(id) },
      select: { id: true, userId: true },
    });
    return identity?.userId;
  }

  /** Unlinks an identity unless it is the user's last way in (no password, no other identity). */
  async unlink(userId: number, id: number): Promise<void> {
    await this.tx.run(async (manager) => {
      // Serialise removals of one user's identities, so two concurrent removals cannot leave
      // an account without any way in. (SQLite units of work are serialised already.)
      if (manager.connection.options.type === 'postgres') {
        await manager
          .createQueryBuilder(User, 'user')
          .select('user.id')
          .where('user.id = :userId', { userId })
          .setLock('pessimistic_write')
          .getOne();
      }
      const identity = await manager.findOneBy(UserIdentity, { id, userId });
      if (!identity) throw new NotFoundError('identity', id);
      const count = await manager.countBy(UserIdentity, { userId });
      if (count <= 1 && !(await this.users.hasUsablePassword(manager, userId))) {
        throw new ConflictError(
          'identity',
          'is the only way into this account: set a password or link another provider first',
        );
      }
      await manager.delete(UserIdentity, { id });
    });
    this.logger.log(
      { event: 'sso.identity_unlinked', userId, identityId: id },
      'identity unlinked',
    );
  }

  private async link(
    manager: EntityManager,
    provider: OidcProviderConfig,
    claims: VerifiedClaims,
    userId: number,
    now: Date,
  ): Promise<void> {
    await manager.insert(UserIdentity, {
      userId,
      providerId: provider.id,
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof claims.email === 'string' ? claims.email.slice(0, 255) : null,
      createdAt: now,
      lastLoginAt: now,
    });
  }
}

/** A username candidate from the claims, reduced to the characters usernames allow. */
export function usernameFrom(claims: VerifiedClaims): string {
  const sources = [claims.preferred_username, claims.email?.split('@')[0], claims.name];
  for (const source of sources) {
    if (typeof source !== 'string') continue;
    const cleaned = source
      .split('@')[0]
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/\s+/g, '_')
      .replace(/[^A-Za-z0-9_.-]/g, '')
      .slice(0, 48);
    if (cleaned) return cleaned;
  }
  return 'user';
}
