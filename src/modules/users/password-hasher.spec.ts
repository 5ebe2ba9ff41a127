import { describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { ServiceUnavailableError } from '../../common/errors/domain-errors.js';
import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  const parametersOf = (hash: string) => hash.split('$')[3].split(',').sort();

  it('hashes with argon2id and OWASP parameters (7 MiB, 5 iterations, 1 lane)', async () => {
    const hash = await hasher.hash('jakejake');
    expect(hash.split('$')[1]).toBe('argon2id');
    expect(parametersOf(hash)).toEqual(['m=7168', 'p=1', 't=5']);
  });

  describe('hashes made with earlier parameters', () => {
    const earlier = () =>
      argon2.hash('jakejake', {
        type: argon2.argon2id,
        memoryCost: 19_456,
        timeCost: 2,
        parallelism: 1,
      });

    it('still verify, and are due for a rehash', async () => {
      const hash = await earlier();
      expect(await hasher.verify(hash, 'jakejake')).toBe(true);
      expect(hasher.needsRehash(hash)).toBe(true);
      expect(hasher.needsRehash(await hasher.hash('jakejake'))).toBe(false);
    });

    it('are rehashed with the current parameters, current ones are left alone', async () => {
      const upgraded = await hasher.rehashIfOutdated(await earlier(), 'jakejake');
      expect(parametersOf(upgraded!)).toEqual(['m=7168', 'p=1', 't=5']);
      expect(await hasher.verify(upgraded, 'jakejake')).toBe(true);
      expect(await hasher.rehashIfOutdated(upgraded!, 'jakejake')).toBeUndefined();
    });

    it('never asks to rehash an unusable or malformed value', () => {
      expect(hasher.needsRehash(hasher.unusable())).toBe(false);
      expect(hasher.needsRehash('not-a-hash')).toBe(false);
    });

    it('skip the upgrade rather than fail the login when no slot is free', async () => {
      const busy = new PasswordHasher({ concurrency: 1, maxWaitMs: 1 });
      const hash = await earlier();
      const blocker = busy.hash('other');
      await expect(busy.rehashIfOutdated(hash, 'jakejake')).resolves.toBeUndefined();
      await blocker;
    });
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('jakejake')).not.toBe(await hasher.hash('jakejake'));
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hasher.hash('jakejake');
    expect(await hasher.verify(hash, 'jakejake')).toBe(true);
    expect(await hasher.verify(hash, 'jakejakE')).toBe(false);
  });

  it('returns false when there is no hash (unknown user)', async () => {
    expect(await hasher.verify(undefined, 'jakejake')).toBe(false);
  });

  it('returns false rather than throwing for a malformed hash', async () => {
    expect(await hasher.verify('not-a-hash', 'jakejake')).toBe(false);
  });

  describe('bounded concurrency', () => {
    it('never runs more computations at once than its slots', async () => {
      const bounded = new PasswordHasher({ concurrency: 2, maxWaitMs: 30_000 });
      let peak = 0;
      const work = Array.from({ length: 6 }, (_, index) => {
        const hashing = bounded.hash(`password-${index}`);
        peak = Math.max(peak, bounded.load.active);
        return hashing;
      });
      expect(bounded.load).toEqual({ active: 2, waiting: 4 });
      await Promise.all(work);
      expect(peak).toBe(2);
      expect(bounded.load).toEqual({ active: 0, waiting: 0 });
    });

    it('refuses with 503 a caller that cannot get a slot in time, and recovers', async () => {
      const bounded = new PasswordHasher({ concurrency: 1, maxWaitMs: 10 });
      const first = bounded.hash('first-password');
      await expect(bounded.hash('second-password')).rejects.toBeInstanceOf(ServiceUnavailableError);
      await first;
      expect(bounded.load).toEqual({ active: 0, waiting: 0 });
      await expect(bounded.verify(await bounded.hash('jakejake'), 'jakejake')).resolves.toBe(true);
    });
  });

  it('marks single-sign-on accounts with a random hash no password matches', async () => {
    const unusable = hasher.unusable();
    expect(unusable).not.toBe(hasher.unusable());
    expect(hasher.isUsable(unusable)).toBe(false);
    expect(hasher.isUsable(await hasher.hash('jakejake'))).toBe(true);
    expect(await hasher.verify(unusable, unusable)).toBe(false);
    expect(await hasher.verify(unusable, unusable.slice(1))).toBe(false);
  });
});
