import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

/** argon2id with OWASP-recommended parameters (19 MiB, 2 iterations, 1 lane). */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Prefix no argon2 hash starts with: marks an account that has no password (yet). */
const UNUSABLE_PREFIX = '!';

@Injectable()
export class PasswordHasher {
  // Verifying against this when the user does not exist costs the same time as a real check,
  // so login timing does not reveal which emails are registered.
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  /**
   * A stored value that no password matches, for accounts created by single sign-on. It is
   * random so that two such accounts never share a hash.
   */
  unusable(): string {
    return `${UNUSABLE_PREFIX}${randomBytes(16).toString('hex')}`;
  }

  /** False for {@link unusable} values: the account cannot log in with a password. */
  isUsable(hash: string | undefined | null): hash is string {
    return typeof hash === 'string' && !hash.startsWith(UNUSABLE_PREFIX);
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    // An unusable hash is checked against the dummy: same cost, and always false.
    if (hash !== undefined && !this.isUsable(hash)) {
      await argon2.verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    try {
      return await argon2.verify(hash ?? (await this.dummyHash), password);
    } catch {
      return false;
    }
  }
}
