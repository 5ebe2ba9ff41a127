import { beforeEach, describe, expect, it } from '@jest/globals';
import type { EntityManager, Repository } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import type { Paginator } from '../../common/pagination/paginator.js';
import type { TransactionRunner } from '../../database/transaction-runner.js';
import { {{Entity}} } from './entities/{{kebab}}.entity.js';
import { {{Entity}}OwnershipPolicy } from './{{kebab}}-ownership.policy.js';
import { {{Entities}}Service } from './{{kebabs}}.service.js';

const STORED = { id: 3, title: 'Stored', body: 'text', ownerId: 7 } as {{Entity}};

/** Hand-written fakes: an in-memory table of one row, and a manager that records writes. */
function setup() {
  const writes: Array<[string, unknown, unknown?]> = [];
  const lookups: unknown[] = [];
  const manager = {
    insert: async (_entity: unknown, values: unknown) => {
      writes.push(['insert', values]);
      return { identifiers: [{ id: STORED.id }] };
    },
    update: async (_entity: unknown, where: unknown, values: unknown) => {
      writes.push(['update', where, values]);
    },
    delete: async (_entity: unknown, where: unknown) => {
      writes.push(['delete', where]);
    },
  } as unknown as EntityManager;
  const repository = {
    findOneBy: async ({ id }: { id: number }) => (id === STORED.id ? STORED : null),
    findOne: async (options: { where: { id: number } }) => {
      lookups.push(options.where.id);
      return options.where.id === STORED.id ? STORED : null;
    },
  } as unknown as Repository<{{Entity}}>;
  const tx = { run: (work: (m: EntityManager) => Promise<unknown>) => work(manager) };
  const service = new {{Entities}}Service(
    repository,
    {} as Paginator,
    tx as unknown as TransactionRunner,
  );
  return { service, writes, lookups };
}

describe('{{Entities}}Service', () => {
  let service: {{Entities}}Service;
  let writes: ReturnType<typeof setup>['writes'];

  beforeEach(() => {
    ({ service, writes } = setup());
  });

  it('creates a {{label}} owned by the caller, with no body unless one is given', async () => {
    await expect(service.create(7, { title: 'Read later' })).resolves.toBe(STORED);
    expect(writes).toEqual([['insert', { ownerId: 7, title: 'Read later', body: null }]]);
  });

  it('updates only the fields that were sent, and updatedAt', async () => {
    await service.update(STORED.id, { body: null });
    expect(writes).toEqual([
      ['update', { id: STORED.id }, { updatedAt: expect.any(Date), body: null }],
    ]);
  });

  it('writes nothing for an update with no fields', async () => {
    await expect(service.update(STORED.id, {})).resolves.toBe(STORED);
    expect(writes).toEqual([]);
  });

  it('throws NotFoundError naming the {{label}} when it does not exist', async () => {
    await expect(service.get(404)).rejects.toThrow(NotFoundError);
    await expect(service.get(404)).rejects.toThrow('{{label}} "404" not found');
  });

  it('returns the owner of a {{label}}, and undefined for an unknown id', async () => {
    await expect(service.ownerIdOf(STORED.id)).resolves.toBe(7);
    await expect(service.ownerIdOf(404)).resolves.toBeUndefined();
  });
});

describe('{{Entity}}OwnershipPolicy', () => {
  it('looks up plain decimal ids and answers with the owner', async () => {
    const { service, lookups } = setup();
    const policy = new {{Entity}}OwnershipPolicy(service);
    await expect(policy.findOwnerId({ id: String(STORED.id) })).resolves.toBe(7);
    expect(lookups).toEqual([STORED.id]);
  });

  it.each(['abc', '-1', '0', '1e3', '0x10', '1.5', '', '9999999999999999'])(
    'treats the id %j as not found without querying the database',
    async (id) => {
      const { service, lookups } = setup();
      const policy = new {{Entity}}OwnershipPolicy(service);
      await expect(policy.findOwnerId({ id })).resolves.toBeUndefined();
      expect(lookups).toEqual([]);
    },
  );
});
