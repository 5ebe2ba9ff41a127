import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import type { Role } from '../../common/auth/role.js';
import { CacheService } from '../../common/cache/cache.service.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-errors.js';
import type { ListDefinition, Page } from '../../common/pagination/list-definition.js';
import { Paginator } from '../../common/pagination/paginator.js';
import { CompiledSelect } from '../../common/persistence/compiled-select.js';
import { AppConfig } from '../../config/app.config.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { ListUsersQuery } from './dto/list-users.query.js';
import { User } from './entities/user.entity.js';
import { UsernameHold } from './entities/username-hold.entity.js';
import { PasswordHasher } from './password-hasher.js';

export interface NewUser {
  email: string;
  username: string;
  password: string;
  role?: Role;
}

export interface PreparedUser {
  email: string;
  username: string;
  passwordHash: string;
  role: Role;
}

export interface UserChanges {
  email?: string;
  username?: string;
  password?: string;
  bio?: string | null;
  image?: string | null;
}

/** What the current-user view shows of an account ({@link UsersService.getAccountFields}). */
export type AccountFields = Pick<User, 'email' | 'username' | 'bio' | 'image' | 'emailVerifiedAt'>;

/** What the administrator bootstrap did; `refused` says what it did not do and why. */
export type AdminBootstrapOutcome =
  | { kind: 'created'; user: User; requestedUsername: string }
  | { kind: 'present'; user: User }
  | { kind: 'refused'; reason: string };

const USER_LIST: ListDefinition<User> = {
  name: 'users',
  defaultSort: '-createdAt',
  sortable: {
    createdAt: { column: 'user.createdAt', type: 'date' },
    username: { column: 'user.username', type: 'string' },
    email: { column: 'user.email', type: 'string' },
    id: { column: 'user.id', type: 'number' },
  },
  tieBreaker: { column: 'user.id' },
};

/** Owns user accounts: creation, credentials, profile changes and the admin listing. */
@Injectable()
export class UsersService {
  /** `GET /api/user` runs this on every call: compiled once (see CompiledSelect). */
  private readonly accountFields: CompiledSelect<User, AccountFields>;

  /**
   * Cache namespace invalidated whenever a user's public fields (username, bio, image) change:
   * caches that embed profiles depend on it.
   */
  static readonly PUBLIC_PROFILE_CACHE = 'user-profiles';

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasher,
    private readonly paginator: Paginator,
    private readonly tx: TransactionRunner,
    private readonly cache: CacheService,
    private readonly config: AppConfig,
  ) {
    this.accountFields = new CompiledSelect(users, 'user', (builder) =>
      builder
        .select('user.email', 'email')
        .addSelect('user.username', 'username')
        .addSelect('user.bio', 'bio')
        .addSelect('user.image', 'image')
        // Only its presence is read (emailVerified), so the raw driver value is enough.
        .addSelect('user.emailVerifiedAt', 'emailVerifiedAt')
        .where('user.id = :id'),
    );
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** The account fields the current-user view shows; 404 when the user is gone. */
  async getAccountFields(id: number): Promise<AccountFields> {
    const fields = await this.accountFields.one({ id });
    if (!fields) throw new NotFoundError('user', id);
    return fields;
  }

  async getById(id: number): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundError('user', id);
    return user;
  }

  /**
   * The user with that username in any letter case: usernames are unique case-insensitively,
   * so `/profiles/Alice` and `/profiles/alice` are the same profile (answered with the
   * spelling the owner chose).
   */
  findByUsername(username: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .where('LOWER(user.username) = :key', { key: usernameKey(username) })
      .getOne();
  }

  /** Returns the user with its password hash, for credential checks only. */
  findWithPasswordByEmail(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email: email.toLowerCase() })
      .getOne();
  }

  findByEmail(email: string, manager: EntityManager = this.users.manager): Promise<User | null> {
    return manager.findOneBy(User, { email: email.toLowerCase() });
  }

  /** False for accounts created by single sign-on that never set a password. */
  async hasUsablePassword(manager: EntityManager, id: number): Promise<boolean> {
    const user = await manager
      .createQueryBuilder(User, 'user')
      .addSelect('user.passwordHash')
      .where('user.id = :id', { id })
      .getOne();
    return this.hasher.isUsable(user?.passwordHash);
  }

  /**
   * Creates an account for a single-sign-on identity inside the caller's transaction: no
   * usable password, and the first free username among `candidate`, `candidate_2`… (then a
   * random suffix). The unique indexes still decide under concurrency.
   */
  async insertExternal(
    manager: EntityManager,
    input: { email: string; usernameCandidate: string },
  ): Promise<User> {
    const base = input.usernameCandidate.slice(0, 56);
    let username = base;
    for (let attempt = 2; await this.usernameTaken(manager, username); attempt += 1) {
      username = attempt <= 5 ? `${base}_${attempt}` : `${base}_${randomBytes(3).toString('hex')}`;
    }
    const user = await this.insert(manager, {
      email: input.email.toLowerCase(),
      username,
      passwordHash: this.hasher.unusable(),
      role: 'user',
    });
    // Accounts are only created from a provider that asserts email_verified.
    await manager.update(User, { id: user.id }, { emailVerifiedAt: new Date() });
    return manager.findOneByOrFail(User, { id: user.id });
  }

  /** Taken by anyone (case-insensitively) or held after someone's rename. */
  private async usernameTaken(manager: EntityManager, username: string): Promise<boolean> {
    const key = usernameKey(username);
    const owner = await manager
      .createQueryBuilder(User, 'user')
      .select('user.id')
      .where('LOWER(user.username) = :key', { key })
      .getOne();
    if (owner) return true;
    const hold = await manager.findOneBy(UsernameHold, { usernameKey: key });
    return hold !== null && hold.expiresAtMs > Date.now();
  }

  /** The user's password hash alone, for re-authentication checks. */
  async findPasswordHash(id: number): Promise<string | undefined> {
    const user = await this.users
      .createQueryBuilder('user')
      .select(['user.id', 'user.passwordHash'])
      .where('user.id = :id', { id })
      .getOne();
    return user?.passwordHash;
  }

  /**
   * Stores a fresh hash of the same password (new argon2 parameters), within the caller's
   * transaction. Only if the stored hash is still `current`: a password changed meanwhile wins.
   * Not a password change: sessions, `updatedAt` and the audit trail are left alone.
   */
  async upgradePasswordHash(
    manager: EntityManager,
    id: number,
    current: string,
    upgraded: string,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(User)
      .set({ passwordHash: upgraded, updatedAt: () => 'updated_at' })
      .where('id = :id AND password_hash = :current', { id, current })
      .execute();
  }

  /** Hashes the password up front, so no transaction stays open during the slow argon2 work. */
  async prepare(input: NewUser): Promise<PreparedUser> {
    return {
      email: input.email.toLowerCase(),
      username: input.username,
      passwordHash: await this.hasher.hash(input.password),
      role: input.role ?? 'user',
    };
  }

  /** Inserts a prepared user within the caller's transaction; duplicates → 409. */
  async insert(manager: EntityManager, prepared: PreparedUser): Promise<User> {
    await this.assertAvailable(manager, prepared, undefined);
    const saved = await manager.save(manager.create(User, { ...prepared, bio: null, image: null }));
    await this.assertNotHeld(manager, prepared.username, saved.id);
    return manager.findOneByOrFail(User, { id: saved.id });
  }

  async create(input: NewUser): Promise<User> {
    const prepared = await this.prepare(input);
    return this.tx.run((manager) => this.insert(manager, prepared));
  }

  /**
   * Applies the changes in one transaction, together with `alsoInTransaction` (e.g. ending the
   * other sessions after a new password), and returns the user as that transaction sees it.
   * With `confirmEmail`, a new email is checked like the other fields but not written: the hook
   * starts its confirmation inside the same transaction.
   */
  async update(
    id: number,
    changes: UserChanges,
    alsoInTransaction?: (manager: EntityManager) => Promise<void>,
    confirmEmail?: (manager: EntityManager, user: User, email: string) => Promise<void>,
  ): Promise<User> {
    const passwordHash =
      changes.password === undefined ? undefined : await this.hasher.hash(changes.password);
    const updated = await this.tx.run(async (manager) => {
      const user = await manager.findOneBy(User, { id });
      if (!user) throw new NotFoundError('user', id);
      const email = changes.email?.toLowerCase();
      await this.assertAvailable(manager, { email, username: changes.username }, id);
      const patch: Partial<User> = { updatedAt: new Date() };
      if (email !== undefined && email !== user.email) {
        if (confirmEmail) await confirmEmail(manager, user, email);
        else patch.email = email;
      }
      if (changes.username !== undefined) patch.username = changes.username;
      if (changes.bio !== undefined) patch.bio = changes.bio === '' ? null : changes.bio;
      if (changes.image !== undefined) patch.image = changes.image === '' ? null : changes.image;
      if (passwordHash !== undefined) patch.passwordHash = passwordHash;
      // updatedAt alone is no change worth writing.
      if (Object.keys(patch).length > 1) await manager.update(User, { id }, patch);
      if (changes.username !== undefined) {
        await this.assertNotHeld(manager, changes.username, id);
        if (usernameKey(changes.username) !== usernameKey(user.username))
          await this.holdUsername(manager, user.username, id);
      }
      await alsoInTransaction?.(manager);
      return manager.findOneByOrFail(User, { id });
    });
    const publicChange = [changes.username, changes.bio, changes.image].some(
      (value) => value !== undefined,
    );
    if (publicChange) await this.cache.invalidate(UsersService.PUBLIC_PROFILE_CACHE);
    return updated;
  }

  list(query: ListUsersQuery): Promise<Page<User>> {
    const builder = this.users.createQueryBuilder('user');
    if (query.role) builder.andWhere('user.role = :role', { role: query.role });
    if (query.search) {
      const pattern = `%${query.search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      builder.andWhere(
        "(LOWER(user.username) LIKE :pattern ESCAPE '\\' OR user.email LIKE :pattern ESCAPE '\\')",
        {
          pattern,
        },
      );
    }
    return this.paginator.paginate(builder, query, USER_LIST);
  }

  /**
   * Start-up bootstrap of the first administrator (ADMIN_EMAIL / ADMIN_PASSWORD). It only ever
   * creates an account, and only while no administrator exists: it never promotes an account it
   * did not create (whoever registered ADMIN_EMAIL, e.g. after the real administrator changed
   * address, would otherwise become admin at the next restart). A taken ADMIN_USERNAME gets a
   * free variant instead of failing the start.
   */
  async bootstrapAdmin(admin: {
    email: string;
    password: string;
    username: string;
  }): Promise<AdminBootstrapOutcome> {
    const email = admin.email.toLowerCase();
    const holder = await this.users.findOneBy({ email });
    if (holder?.role === 'admin') return { kind: 'present', user: holder };
    if (holder) {
      return {
        kind: 'refused',
        reason: `${email} belongs to an account the bootstrap did not create; it was not promoted to administrator`,
      };
    }
    if ((await this.users.countBy({ role: 'admin' })) > 0) {
      return {
        kind: 'refused',
        reason: `an administrator already exists; no account was created for ${email}`,
      };
    }
    const username = await this.freeUsername(admin.username);
    try {
      const user = await this.create({ ...admin, email, username, role: 'admin' });
      return { kind: 'created', user, requestedUsername: admin.username };
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if (!(error instanceof ConflictError)) throw error;
      const winner = await this.users.findOneBy({ email, role: 'admin' });
      if (winner) return { kind: 'present', user: winner };
      return { kind: 'refused', reason: `${email} was taken while creating the administrator` };
    }
  }

  /** `wanted` if nobody holds it, else `wanted-2`, `wanted-3`…, else a random suffix. */
  private async freeUsername(wanted: string): Promise<string> {
    const base = wanted.slice(0, 48);
    const candidates = [wanted, ...Array.from({ length: 8 }, (_, index) => `${base}-${index + 2}`)];
    for (const candidate of candidates) {
      if (!(await this.findByUsername(candidate))) return candidate;
    }
    return `${base}-${randomBytes(4).toString('hex')}`;
  }

  /**
   * Friendly pre-check; the unique indexes remain the real guarantee under concurrency. The
   * username is checked first: a request with a taken username is answered "username" whatever
   * the email, so pairing a probe address with a known username reveals nothing about it.
   * Usernames compare case-insensitively (`Alice` is taken when `alice` exists).
   */
  private async assertAvailable(
    manager: EntityManager,
    fields: { email?: string; username?: string },
    exceptUserId: number | undefined,
  ): Promise<void> {
    if (fields.username !== undefined) {
      const owner = await manager
        .createQueryBuilder(User, 'user')
        .select('user.id')
        .where('LOWER(user.username) = :key', { key: usernameKey(fields.username) })
        .getOne();
      if (owner && owner.id !== exceptUserId) throw new ConflictError('username');
    }
    if (fields.email !== undefined) {
      const owner = await manager.findOne(User, {
        where: { email: fields.email },
        select: { id: true },
      });
      if (owner && owner.id !== exceptUserId) throw new ConflictError('email');
    }
  }

  /**
   * 409 (as for a taken name) when `username` is held for someone else after their rename.
   * Checked after the row is written, inside its transaction: a rename that released the name
   * and held it commits both at once, and PostgreSQL makes the insert of the same name wait
   * for that commit, so a hold cannot be missed by a racing registration.
   */
  private async assertNotHeld(manager: EntityManager, username: string, userId: number) {
    const hold = await manager.findOneBy(UsernameHold, { usernameKey: usernameKey(username) });
    if (hold && hold.userId !== userId && hold.expiresAtMs > Date.now())
      throw new ConflictError('username');
  }

  /** Reserves a username its owner just gave up, for USERNAME_HOLD_SECONDS. */
  private async holdUsername(manager: EntityManager, username: string, userId: number) {
    const key = usernameKey(username);
    await manager.delete(UsernameHold, { usernameKey: key });
    if (this.config.usernames.holdSeconds === 0) return;
    await manager.insert(UsernameHold, {
      usernameKey: key,
      userId,
      expiresAtMs: Date.now() + this.config.usernames.holdSeconds * 1000,
    });
  }
}

/** How usernames compare: case-insensitively (they are ASCII, so SQL LOWER() agrees). */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}
