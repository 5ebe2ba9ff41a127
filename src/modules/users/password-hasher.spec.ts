import { describe, expect, it } from '@jest/globals';
import { ServiceUnavailableError } from '../../common/errors/domain-errors.js';
import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id and the OWASP parameters', async () => {
    const [, algorithm, , parameters] = (await hasher.hash('jakejake')).split('$');
    expect(algorithm).toBe('argon2id');
    expect(parameters.split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
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
});
