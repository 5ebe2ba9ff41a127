import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In, IsNull, MoreThan } from 'typeorm';
import { generateOpaqueToken, hashOpaqueToken } from '../../common/auth/opaque-token.js';
import { AccountToken, type AccountTokenPurpose } from './entities/account-token.entity.js';

/** Issues and redeems the single-use tokens of mailed links. */
@Injectable()
export class AccountTokens {
  /**
   * Issues a token inside the caller's transaction. Earlier unused tokens of the same purpose
   * stop working: only the newest link is valid.
   */
  async issue(
    manager: EntityManager,
    userId: number,
    purpose: AccountTokenPurpose,
    email: string,
    ttlSeconds: number,
  ): Promise<string> {
    await this.revoke(manager, userId, [purpose]);
    const token = generateOpaqueToken();
    const now = new Date();
    await manager.insert(AccountToken, {
      id: randomUUID(),
      userId,
      purpose,
      tokenHash: hashOpaqueToken(token),
      email,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      usedAt: null,
      createdAt: now,
    });
    return token;
  }

  /**
   * Redeems a token: of any number of concurrent attempts exactly one gets it (a conditional
   * update), and only while it is unexpired and of one of the purposes.
   */
  async redeem(
    manager: EntityManager,
    token: string,
    purposes: AccountTokenPurpose[],
  ): Promise<AccountToken | undefined> {
    const stored = await manager.findOneBy(AccountToken, {
      tokenHash: hashOpaqueToken(token),
      purpose: In(purposes),
      usedAt: IsNull(),
      expiresAt: MoreThan(new Date()),
    });
    if (!stored) return undefined;
    const claimed = await manager.update(
      AccountToken,
      { id: stored.id, usedAt: IsNull() },
      { usedAt: new Date() },
    );
    return claimed.affected === 1 ? stored : undefined;
  }

  /** Makes the user's unused tokens of these purposes unusable. */
  async revoke(
    manager: EntityManager,
    userId: number,
    purposes: AccountTokenPurpose[],
  ): Promise<void> {
    await manager.update(
      AccountToken,
      { userId, purpose: In(purposes), usedAt: IsNull() },
      { usedAt: new Date() },
    );
  }

  /** When the newest token of this purpose was issued to the user, if ever. */
  async lastIssuedAt(
    manager: EntityManager,
    userId: number,
    purpose: AccountTokenPurpose,
  ): Promise<Date | undefined> {
    const latest = await manager.findOne(AccountToken, {
      where: { userId, purpose },
      order: { createdAt: 'DESC' },
      select: { id: true, createdAt: true },
    });
    return latest?.createdAt;
  }
}
