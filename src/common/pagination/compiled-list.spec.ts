import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  Column,
  DataSource,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Repository,
} from 'typeorm';
import { loadConfig } from '../../config/app.config.js';
import { hydratorOf } from '../persistence/compiled-select.js';
import { CompiledList, type ListFilter } from './compiled-list.js';
import type { ListDefinition } from './list-definition.js';
import { Paginator } from './paginator.js';

@Entity('owners')
class Owner {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar' }) name: string;
}

@Entity('items')
class Item {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar' }) name: string;
  @Column({ name: 'owner_id', type: 'integer' }) ownerId: number;
  @Column({ name: 'created_at', type: 'datetime' }) createdAt: Date;
  @ManyToOne(() => Owner) @JoinColumn({ name: 'owner_id' }) owner?: Owner;
}

const LIST: ListDefinition<Item> = {
  name: 'items',
  defaultSort: '-createdAt',
  sortable: { createdAt: { column: 'item.createdAt', type: 'date' } },
  tieBreaker: { column: 'item.id' },
};

interface Row {
  id: number;
  name: string;
  ownerName: string;
}

describe('Paginator.paginateCompiled with a CompiledList (SQLite)', () => {
  let dataSource: DataSource;
  let items: Repository<Item>;
  const paginator = new Paginator(
    loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'unit-test-secret-0123456789abcdefghijklmnop' }),
  );

  beforeAll(async () => {
    dataSource = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [Owner, Item],
      synchronize: true,
    });
    await dataSource.initialize();
    items = dataSource.getRepository(Item);
    await dataSource.getRepository(Owner).insert([{ name: 'ann' }, { name: 'bob' }]);
    // Seven items, two per second, so the id tie-breaker decides within a second.
    await items.insert(
      Array.from({ length: 7 }, (_, index) => ({
        name: `item-${index + 1}`,
        ownerId: (index % 2) + 1,
        createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, Math.floor(index / 2))),
      })),
    );
  });
  afterAll(() => dataSource.destroy());

  const base = () =>
    items
      .createQueryBuilder('item')
      .leftJoin('item.owner', 'owner')
      .select('item.id', 'id')
      .addSelect('item.name', 'name')
      .addSelect('owner.name', 'ownerName');

  /** Items of owner `name`, or all; `build` counts how often a statement is built. */
  const filterFor = (name: string | undefined, build = jest.fn(base)): ListFilter<Item> => ({
    shape: name === undefined ? '' : 'owner',
    build: () =>
      name === undefined
        ? build()
        : build().andWhere('item.ownerId = (SELECT o.id FROM owners o WHERE o.name = :owner)'),
    parameters: name === undefined ? {} : { owner: name },
  });

  it('pages newest first by offset, with the total and the raw rows under their aliases', async () => {
    const list = new CompiledList(LIST, items);
    const page = await paginator.paginateCompiled<Item, Row>(list, filterFor(undefined), {
      limit: 3,
      offset: 2,
    });
    expect(page.total).toBe(7);
    expect(page.items).toEqual([
      {
        id: 5,
        name: 'item-5',
        ownerName: 'ann',
        pagination_key_0: expect.any(String),
        pagination_key_1: 5,
      },
      {
        id: 4,
        name: 'item-4',
        ownerName: 'bob',
        pagination_key_0: expect.any(String),
        pagination_key_1: 4,
      },
      {
        id: 3,
        name: 'item-3',
        ownerName: 'ann',
        pagination_key_0: expect.any(String),
        pagination_key_1: 3,
      },
    ]);
    expect(page.nextCursor).not.toBeNull();
  });

  it('builds each statement once per shape and reuses it with new values', async () => {
    const list = new CompiledList(LIST, items);
    const build = jest.fn(base);
    const ann = await paginator.paginateCompiled<Item, Row>(list, filterFor('ann', build), {});
    const bob = await paginator.paginateCompiled<Item, Row>(list, filterFor('bob', build), {});
    expect(ann.items.map((row) => row.id)).toEqual([7, 5, 3, 1]);
    expect(bob.items.map((row) => row.id)).toEqual([6, 4, 2]);
    expect([ann.total, bob.total]).toEqual([4, 3]);
    // One page statement and one count statement, each built once for both requests.
    expect(build).toHaveBeenCalledTimes(2);
    expect(list.size).toBe(2);
  });

  it('writes LIMIT and OFFSET as the query builder does', async () => {
    const list = new CompiledList(LIST, items);
    const query = jest.spyOn(dataSource.manager, 'query');
    await paginator.paginateCompiled<Item, Row>(list, filterFor(undefined), {
      limit: 2,
      offset: 4,
    });
    const builder = base()
      .orderBy('item.createdAt', 'DESC')
      .addOrderBy('item.id', 'DESC')
      .addSelect('(item.createdAt)', 'pagination_key_0')
      .addSelect('(item.id)', 'pagination_key_1')
      .limit(3)
      .offset(4);
    expect(query).toHaveBeenLastCalledWith(builder.getQuery(), []);
    query.mockRestore();
  });

  it('follows cursors through every item, each once', async () => {
    const list = new CompiledList(LIST, items);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await paginator.paginateCompiled<Item, Row>(list, filterFor(undefined), {
        limit: 2,
        cursor,
      });
      seen.push(...page.items.map((row) => row.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('refuses a query that returns several rows per item (a to-many join)', async () => {
    const list = new CompiledList(LIST, items);
    const doubled: ListFilter<Item> = {
      shape: 'doubled',
      build: () => base().innerJoin(Item, 'twin', 'twin.ownerId = item.ownerId'),
      parameters: {},
    };
    await expect(
      paginator.paginateCompiled(list, doubled, { limit: 3 }, { total: async () => 0 }),
    ).rejects.toThrow(/join to-one relations only/);
  });

  it('hydratorOf converts raw values as entity hydration does', async () => {
    const [raw] = await dataSource.query<Array<{ created_at: unknown }>>(
      'SELECT created_at FROM items WHERE id = 2',
    );
    expect(typeof raw.created_at).toBe('string');
    expect(hydratorOf(items, 'createdAt')(raw.created_at)).toEqual(
      new Date(Date.UTC(2024, 0, 1, 0, 0, 0)),
    );
    expect(() => hydratorOf(items, 'owner' as 'name')).toThrow(/has no column owner/);
  });
});
