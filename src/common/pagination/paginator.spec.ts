import { describe, expect, it } from '@jest/globals';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { loadConfig } from '../../config/app.config.js';
import { ValidationError } from '../errors/domain-errors.js';
import { CursorCodec } from './cursor-codec.js';
import type { ListDefinition, PaginateOptions } from './list-definition.js';
import type { ListQueryDto } from './list-query.dto.js';
import { Paginator } from './paginator.js';

const SECRET = 'unit-test-secret-0123456789abcdefghijklmnop';
const codec = new CursorCodec(SECRET);

interface Item {
  id: number;
  createdAt: Date;
  username: string;
}

const list: ListDefinition<Item> = {
  name: 'users',
  defaultSort: '-createdAt',
  sortable: {
    createdAt: { column: 'user.createdAt', type: 'date' },
    username: { column: 'user.username', type: 'string' },
  },
  tieBreaker: { column: 'user.id' },
};

/** `count` rows, newest first, as the database would return them for `-createdAt`. */
function rows(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    entity: { id: count - index },
    raw: {
      pagination_key_0: `2024-01-01 00:00:${String(59 - index).padStart(2, '0')}.000`,
      pagination_key_1: count - index,
    },
  }));
}

/**
 * A stand-in for TypeORM's SelectQueryBuilder: records what the paginator asks of it and
 * answers with `data` (it does not filter or sort; the e2e and property tests do that on real
 * databases).
 */
class FakeQuery {
  readonly wheres: Array<{ sql: string; parameters: Record<string, unknown> }> = [];
  readonly orders: string[] = [];
  skipped = 0;
  fetched = 0;
  counted = false;
  readonly connection = { options: { type: 'better-sqlite3' } };

  constructor(
    private readonly data: ReturnType<typeof rows>,
    private readonly duplicateRaw = false,
  ) {}

  clone() {
    const count = { count: String(this.data.length) };
    const counting = {
      select: (selection: string, alias: string) => {
        expect([selection, alias]).toEqual(['COUNT(*)', 'count']);
        return counting;
      },
      getRawOne: async () => ((this.counted = true), count),
    };
    return counting;
  }
  andWhere(sql: string, parameters: Record<string, unknown>) {
    this.wheres.push({ sql, parameters });
    return this;
  }
  offset(value: number) {
    this.skipped = value;
    return this;
  }
  orderBy(column: string, direction: string) {
    this.orders.splice(0, this.orders.length, `${column} ${direction}`);
    return this;
  }
  addOrderBy(column: string, direction: string) {
    this.orders.push(`${column} ${direction}`);
    return this;
  }
  addSelect() {
    return this;
  }
  limit(value: number) {
    this.fetched = value;
    return this;
  }
  async getRawAndEntities() {
    const page = this.data.slice(this.skipped, this.skipped + this.fetched);
    const raw = page.map((row) => row.raw);
    return {
      entities: page.map((row) => row.entity),
      raw: this.duplicateRaw ? [...raw, ...raw] : raw,
    };
  }
}

function paginator(env: Record<string, string> = {}) {
  return new Paginator(loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, ...env }));
}

function paginate(
  query: FakeQuery,
  params: ListQueryDto,
  options?: PaginateOptions,
  env?: Record<string, string>,
) {
  return paginator(env).paginate(
    query as unknown as SelectQueryBuilder<ObjectLiteral>,
    params,
    list as ListDefinition<ObjectLiteral>,
    options,
  );
}

/** The field errors of the 422 the call rejects with. */
async function rejection(work: Promise<unknown>): Promise<Record<string, string[]>> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).fields;
}

describe('Paginator', () => {
  describe('offset mode', () => {
    it('returns 20 rows by default and fetches one more to know whether a next page exists', async () => {
      const query = new FakeQuery(rows(25));
      const page = await paginate(query, {});
      expect(query.fetched).toBe(21);
      expect(page).toMatchObject({ limit: 20, offset: 0, total: 25 });
      expect(page.items).toHaveLength(20);
      expect(page.nextCursor).toEqual(expect.any(String));
    });

    it('skips `offset` rows', async () => {
      const query = new FakeQuery(rows(25));
      const page = await paginate(query, { offset: 20, limit: 10 });
      expect(query.skipped).toBe(20);
      expect(page).toMatchObject({ offset: 20, limit: 10, nextCursor: null });
      expect(page.items.map((item) => item.id)).toEqual([5, 4, 3, 2, 1]);
    });

    it('orders by the sort, then by id in the direction of the last term', async () => {
      const query = new FakeQuery(rows(1));
      await paginate(query, { sort: '-createdAt,username' });
      expect(query.orders).toEqual(['user.createdAt DESC', 'user.username ASC', 'user.id ASC']);
    });

    it('counts matching rows by default, and not at all with withTotal: false', async () => {
      const counted = new FakeQuery(rows(3));
      expect((await paginate(counted, {})).total).toBe(3);
      const uncounted = new FakeQuery(rows(3));
      expect((await paginate(uncounted, {}, { withTotal: false })).total).toBe(-1);
      expect(uncounted.counted).toBe(false);
    });

    it('takes the total from options.total instead of counting rows', async () => {
      const query = new FakeQuery(rows(3));
      const page = await paginate(query, {}, { total: async () => 1234 });
      expect(page.total).toBe(1234);
      expect(query.counted).toBe(false);
    });
  });

  describe('limits', () => {
    it('rejects a limit above the default maximum of 100, naming it', async () => {
      expect(await rejection(paginate(new FakeQuery(rows(1)), { limit: 101 }))).toEqual({
        limit: ['must not be greater than 100'],
      });
      await expect(paginate(new FakeQuery(rows(1)), { limit: 100 })).resolves.toBeDefined();
    });

    it('takes the maximum and the default from configuration', async () => {
      const env = { PAGINATION_MAX_LIMIT: '30', PAGINATION_DEFAULT_LIMIT: '5' };
      expect(await rejection(paginate(new FakeQuery(rows(1)), { limit: 31 }, {}, env))).toEqual({
        limit: ['must not be greater than 30'],
      });
      expect((await paginate(new FakeQuery(rows(9)), {}, {}, env)).items).toHaveLength(5);
    });

    it.each([0, -1, 1.5, Number.NaN])('rejects limit %s from a direct caller', async (limit) => {
      expect(Object.keys(await rejection(paginate(new FakeQuery(rows(1)), { limit })))).toEqual([
        'limit',
      ]);
    });

    it('caps the offset at 1,000 pages of the largest size by default, naming the cursor', async () => {
      expect(await rejection(paginate(new FakeQuery(rows(1)), { offset: 100_001 }))).toEqual({
        offset: [
          "must not be greater than 100000 (PAGINATION_MAX_OFFSET); page deeper with cursor, passing the previous page's nextCursor",
        ],
      });
      await expect(paginate(new FakeQuery(rows(1)), { offset: 100_000 })).resolves.toBeDefined();
    });

    it('takes the offset cap from PAGINATION_MAX_OFFSET', async () => {
      const env = { PAGINATION_MAX_OFFSET: '250000' };
      await expect(
        paginate(new FakeQuery(rows(1)), { offset: 250_000 }, {}, env),
      ).resolves.toBeDefined();
      expect(
        Object.keys(
          await rejection(paginate(new FakeQuery(rows(1)), { offset: 250_001 }, {}, env)),
        ),
      ).toEqual(['offset']);
    });

    it.each([-1, 0.5])('rejects offset %s from a direct caller', async (offset) => {
      expect(Object.keys(await rejection(paginate(new FakeQuery(rows(1)), { offset })))).toEqual([
        'offset',
      ]);
    });
  });

  describe('cursor mode', () => {
    it('returns a nextCursor holding the sort and the last row key values, null at the end', async () => {
      const first = await paginate(new FakeQuery(rows(3)), { limit: 2 });
      expect(codec.decode(first.nextCursor!)).toEqual({
        list: 'users',
        sort: '-createdAt',
        values: ['2024-01-01 00:00:58.000', 2],
      });
      const last = await paginate(new FakeQuery(rows(3)), { limit: 3 });
      expect(last.nextCursor).toBeNull();
    });

    it('turns the cursor into a keyset condition with bound parameters, not an offset', async () => {
      const cursor = (await paginate(new FakeQuery(rows(3)), { limit: 2 })).nextCursor!;
      const query = new FakeQuery(rows(3));
      const page = await paginate(query, { limit: 2, cursor });
      expect(query.skipped).toBe(0);
      expect(page.offset).toBe(0);
      expect(query.wheres).toEqual([
        {
          sql: '(user.createdAt, user.id) < (:pagination_key_0, :pagination_key_1)',
          parameters: { pagination_key_0: '2024-01-01 00:00:58.000', pagination_key_1: 2 },
        },
      ]);
    });

    it("follows the cursor's own sort when the request names none", async () => {
      const cursor = (await paginate(new FakeQuery(rows(3)), { limit: 1, sort: 'username' }))
        .nextCursor!;
      const query = new FakeQuery(rows(3));
      await paginate(query, { limit: 1, cursor });
      expect(query.orders).toEqual(['user.username ASC', 'user.id ASC']);
    });

    it('rejects a cursor issued for another sort', async () => {
      const cursor = (await paginate(new FakeQuery(rows(3)), { limit: 1, sort: 'username' }))
        .nextCursor!;
      expect(
        await rejection(paginate(new FakeQuery(rows(3)), { cursor, sort: '-createdAt' })),
      ).toEqual({
        cursor: ['was issued for sort "username", not "-createdAt"; keep the sort while paging'],
      });
    });

    it('rejects a cursor issued for another list', async () => {
      const cursor = codec.encode({
        list: 'articles',
        sort: '-createdAt',
        values: ['2024-01-01 00:00:00.000', 1],
      });
      expect(await rejection(paginate(new FakeQuery(rows(3)), { cursor }))).toEqual({
        cursor: ['belongs to another list'],
      });
    });

    it('rejects a correctly signed cursor whose values do not fit the columns, before querying', async () => {
      const cursor = codec.encode({ list: 'users', sort: '-createdAt', values: ['soon', 1] });
      const query = new FakeQuery(rows(3));
      expect(await rejection(paginate(query, { cursor }))).toEqual({
        cursor: ['is malformed or was tampered with'],
      });
      expect(query.counted).toBe(false);
    });

    it('rejects a cursor combined with an offset, even offset 0', async () => {
      const cursor = (await paginate(new FakeQuery(rows(3)), { limit: 1 })).nextCursor!;
      expect(await rejection(paginate(new FakeQuery(rows(3)), { cursor, offset: 0 }))).toEqual({
        cursor: ['cannot be combined with offset'],
      });
    });
  });

  it('reports every defect of a request in one 422', async () => {
    expect(
      await rejection(
        paginate(new FakeQuery(rows(1)), { limit: 500, cursor: 'nope', sort: 'password' }),
      ),
    ).toEqual({
      limit: ['must not be greater than 100'],
      cursor: ['is malformed or was tampered with'],
      sort: ['cannot sort by "password"; allowed: createdAt, username'],
    });
  });

  it('refuses, as a programming error, a query whose joins return several rows per item', async () => {
    const error = await paginate(new FakeQuery(rows(2), true), {}).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).not.toBeInstanceOf(ValidationError);
    expect(String(error)).toMatch(/join to-one relations only/);
  });
});
