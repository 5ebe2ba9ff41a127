import { describe, expect, it } from '@jest/globals';
import type { DataSource, EntityManager } from 'typeorm';
import { isRetryableConflict, TransactionRunner } from './transaction-runner.js';

/** A data source whose first `failures` transactions fail with `error`. */
function dataSourceFailing(failures: number, error: unknown, type = 'postgres') {
  let calls = 0;
  const dataSource = {
    options: { type },
    transaction: async <T>(work: (manager: EntityManager) => Promise<T>) => {
      calls++;
      if (calls <= failures) throw error;
      return work({} as EntityManager);
    },
  } as unknown as DataSource;
  return { dataSource, calls: () => calls };
}

const deadlock = Object.assign(new Error('deadlock detected'), {
  driverError: { code: '40P01' },
});

describe('TransactionRunner on PostgreSQL', () => {
  it('runs the unit of work again after a deadlock, and returns its result', async () => {
    const { dataSource, calls } = dataSourceFailing(2, deadlock);
    await expect(new TransactionRunner(dataSource).run(async () => 'done')).resolves.toBe('done');
    expect(calls()).toBe(3);
  });

  it('gives up after four attempts and throws the last deadlock', async () => {
    const { dataSource, calls } = dataSourceFailing(10, deadlock);
    await expect(new TransactionRunner(dataSource).run(async () => 'done')).rejects.toBe(deadlock);
    expect(calls()).toBe(4);
  });

  it('never retries other failures (a unique violation is the caller’s answer)', async () => {
    const unique = Object.assign(new Error('duplicate key'), { driverError: { code: '23505' } });
    const { dataSource, calls } = dataSourceFailing(1, unique);
    await expect(new TransactionRunner(dataSource).run(async () => 'done')).rejects.toBe(unique);
    expect(calls()).toBe(1);
  });
});

describe('isRetryableConflict', () => {
  it.each([
    [{ code: '40P01' }, true],
    [{ code: '40001' }, true],
    [{ driverError: { code: '40001' } }, true],
    [{ driverError: { code: 'SQLITE_BUSY_SNAPSHOT' } }, true],
    [{ code: 'SQLITE_BUSY' }, true],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }, false],
    [{ code: '23505' }, false],
    [new Error('plain'), false],
    [null, false],
  ])('%j → %s', (error, expected) => {
    expect(isRetryableConflict(error)).toBe(expected);
  });
});

describe('TransactionRunner on SQLite', () => {
  it('runs a unit of work again when another process committed since it read', async () => {
    const stale = Object.assign(new Error('database is locked'), {
      driverError: { code: 'SQLITE_BUSY_SNAPSHOT' },
    });
    const { dataSource, calls } = dataSourceFailing(1, stale, 'better-sqlite3');
    await expect(new TransactionRunner(dataSource).run(async () => 'done')).resolves.toBe('done');
    expect(calls()).toBe(2);
  });
});
