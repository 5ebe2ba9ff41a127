import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { NotFoundError, ValidationError } from '../../common/errors/domain-errors.js';
import { CompiledSelect } from '../../common/persistence/compiled-select.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { UsersService, type User } from '../users/index.js';
import { ProfileView } from './dto/profile.response.js';
import { Follow } from './entities/follow.entity.js';

/** Public profiles and the follow graph. */
@Injectable()
export class ProfilesService {
  /** Cache namespace that caches embedding anonymous profile views must depend on. */
  readonly cacheDependency = UsersService.PUBLIC_PROFILE_CACHE;

  /** Runs for every signed-in article view and list page: compiled once (CompiledSelect). */
  private readonly followedAmongQuery: CompiledSelect<Follow, { followeeId: number | string }>;

  constructor(
    @InjectRepository(Follow) private readonly follows: Repository<Follow>,
    private readonly usersService: UsersService,
    private readonly tx: TransactionRunner,
  ) {
    this.followedAmongQuery = new CompiledSelect(follows, 'follow', (builder) =>
      builder
        .select('follow.followeeId', 'followeeId')
        .where('follow.followerId = :viewerId')
        .andWhere('follow.followeeId IN (:...userIds)'),
    );
  }

  async getProfile(username: string, viewerId: number | undefined): Promise<ProfileView> {
    const user = await this.getUser(username);
    const following = viewerId === undefined ? false : await this.isFollowing(viewerId, user.id);
    return ProfileView.of(user, following);
  }

  /** Idempotent: following twice leaves one follow. */
  async follow(viewerId: number, username: string): Promise<ProfileView> {
    const user = await this.getUser(username);
    if (user.id === viewerId) throw ValidationError.of('username', 'cannot follow yourself');
    await this.tx.run((manager) =>
      manager
        .createQueryBuilder()
        .insert()
        .into(Follow)
        .values({ followerId: viewerId, followeeId: user.id })
        .orIgnore()
        .execute(),
    );
    return ProfileView.of(user, true);
  }

  /** Idempotent: unfollowing someone you do not follow is not an error. */
  async unfollow(viewerId: number, username: string): Promise<ProfileView> {
    const user = await this.getUser(username);
    await this.tx.run((manager) =>
      manager.delete(Follow, { followerId: viewerId, followeeId: user.id }),
    );
    return ProfileView.of(user, false);
  }

  /**
   * Which of `userIds` the viewer follows: one query for any number of users (in the unit of
   * work of `manager` when given).
   */
  async followedAmong(
    viewerId: number | undefined,
    userIds: number[],
    manager?: EntityManager,
  ): Promise<Set<number>> {
    if (viewerId === undefined || userIds.length === 0) return new Set();
    const rows = await this.followedAmongQuery.all(
      { viewerId, userIds: [...new Set(userIds)] },
      manager,
    );
    return new Set(rows.map((row) => Number(row.followeeId)));
  }

  /** Profiles of several users as seen by the viewer, keyed by user id. */
  async viewsOf(
    users: Array<Pick<User, 'id' | 'username' | 'bio' | 'image'>>,
    viewerId: number | undefined,
    manager?: EntityManager,
  ): Promise<Map<number, ProfileView>> {
    const followed = await this.followedAmong(
      viewerId,
      users.map((user) => user.id),
      manager,
    );
    return new Map(users.map((user) => [user.id, ProfileView.of(user, followed.has(user.id))]));
  }

  private async isFollowing(viewerId: number, userId: number): Promise<boolean> {
    return (await this.follows.countBy({ followerId: viewerId, followeeId: userId })) > 0;
  }

  private async getUser(username: string): Promise<User> {
    // No username contains a NUL character, and PostgreSQL fails a query with one: not found.
    const user = username.includes('\u0000')
      ? null
      : await this.usersService.findByUsername(username);
    if (!user) throw new NotFoundError('profile', username);
    return user;
  }
}
