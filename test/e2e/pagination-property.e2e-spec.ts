import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { dialect } from '../support/test-database.js';
import { loginTokens } from '../support/users.js';

/**
 * Property: for random datasets (many rows sharing a created_at value), random page sizes and
 * random whitelisted sorts, following `nextCursor` from the first page to the last returns
 * every row exactly once, in the order the sort defines with the id tie-breaker; and when rows
 * are inserted between page requests, every original row still appears exactly once, in order.
 *
 * Rows are inserted with raw SQL so their timestamps are exact: on PostgreSQL some share a
 * millisecond but differ in microseconds (what CURRENT_TIMESTAMP produces), which a cursor
 * holding a JavaScript Date would get wrong; SQLite stores milliseconds.
 */

const ADMIN = { email: 'pagination-admin@example.com', password: 'admin-password-123' };
const RUNS = 60;
const BASE_MS = Date.UTC(2024, 0, 1);
/** Offsets chosen to collide often and to cross millisecond, second and day boundaries. */
const MS_OFFSETS = [0, 1, 2, 999, 1000, 86_400_000];
const SUB_MS_MICROS = [0, 1, 500, 999];

interface Stamp {
  ms: number;
  micros: number;
}

/** A row under test; `key` is what the API returns to identify it (id or slug). */
interface Row {
  key: string;
  id: number;
  stamp: Stamp;
  name: string;
  mail: string;
}

type Field = 'createdAt' | 'username' | 'email' | 'id';
interface Term {
  field: Field;
  desc: boolean;
}

const stampArb: fc.Arbitrary<Stamp> = fc.record({
  ms: fc.constantFrom(...MS_OFFSETS).map((offset) => BASE_MS + offset),
  micros: fc.constantFrom(...SUB_MS_MICROS),
});
const wordArb = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
  minLength: 1,
  maxLength: 6,
});

/** Raw row data before insertion; `after` is the page after which it is inserted (or never). */
interface Draft {
  name: string;
  mail: string;
  stamp: Stamp;
  after: number | undefined;
}
const draftsArb = (maxLength: number, withInserts: boolean) =>
  fc.uniqueArray(
    fc.record({
      name: wordArb,
      mail: wordArb,
      stamp: stampArb,
      after: withInserts
        ? fc.option(fc.nat({ max: 4 }), { nil: undefined, freq: 2 })
        : fc.constant(undefined),
    }),
    { selector: (draft) => draft.name, maxLength },
  );
const limitArb = fc.integer({ min: 1, max: 7 });
const termsArb = (fields: Field[], maxLength: number): fc.Arbitrary<Term[]> =>
  fc
    .uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength })
    .chain((chosen) =>
      fc
        .array(fc.boolean(), { minLength: chosen.length, maxLength: chosen.length })
        .map((desc) => chosen.map((field, index) => ({ field, desc: desc[index] }))),
    );

/** The database's own ordering of a stamp: microseconds on PostgreSQL, milliseconds on SQLite. */
function stampOrder(stamp: Stamp): number {
  return dialect === 'postgres' ? stamp.ms * 1000 + stamp.micros : stamp.ms;
}

/** The SQL literal for a stamp, in each dialect's storage format. */
function stampSql(stamp: Stamp): string {
  const iso = new Date(stamp.ms).toISOString();
  return dialect === 'postgres'
    ? iso.replace('Z', `${String(stamp.micros).padStart(3, '0')}Z`)
    : iso.replace('T', ' ').replace('Z', '');
}

function sortParam(terms: Term[]): string {
  return terms.map((term) => `${term.desc ? '-' : ''}${term.field}`).join(',');
}

/** The order the API promises: the sort terms, then id in the last term's direction. */
function compareRows(terms: Term[]) {
  const value = (row: Row, field: Field): number | string =>
    field === 'createdAt'
      ? stampOrder(row.stamp)
      : field === 'username'
        ? row.name
        : field === 'email'
          ? row.mail
          : row.id;
  const keys = [...terms, { field: 'id' as const, desc: terms.at(-1)!.desc }];
  return (a: Row, b: Row): number => {
    for (const { field, desc } of keys) {
      const [x, y] = [value(a, field), value(b, field)];
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  };
}

/** Inserts rows with exact column values; returns the ids in insertion order. */
async function insertRows(
  testApp: TestApp,
  table: string,
  rows: Array<Record<string, string | number>>,
): Promise<number[]> {
  const ids: number[] = [];
  for (const row of rows) {
    const columns = Object.keys(row);
    const placeholders = columns.map((_, index) =>
      dialect === 'postgres' ? `$${index + 1}` : '?',
    );
    const result: Array<{ id: number }> = await testApp.dataSource.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING id`,
      Object.values(row),
    );
    ids.push(Number(result[0].id));
  }
  return ids;
}

describe('cursor pagination walks every row exactly once (property)', () => {
  let testApp: TestApp;
  let api: Api;
  let adminToken: string;
  let run = 0;
  let serial = 0;

  beforeAll(async () => {
    testApp = await startTestApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    api = new Api(testApp.baseUrl);
    adminToken = (await loginTokens(api, ADMIN.email, ADMIN.password)).token;
  });
  afterAll(() => testApp.close());

  /**
   * Follows nextCursor from the first page until it is null, calling `between` after each page.
   * Checks page invariants on the way and returns the keys in the order received.
   */
  async function walk(
    firstPath: string,
    nextPath: (cursor: string) => string,
    options: { listKey: string; limit: number; maxPages: number; token?: string },
    between: (page: number) => Promise<void> = async () => undefined,
  ): Promise<string[]> {
    const keys: string[] = [];
    let path: string | undefined = firstPath;
    for (let page = 0; path !== undefined; page++) {
      if (page > options.maxPages) throw new Error(`more than ${options.maxPages} pages`);
      const response = await api.get(path, { token: options.token });
      expect({ path, status: response.status, body: response.body }).toMatchObject({ status: 200 });
      const items = response.body[options.listKey] as Array<{ id?: number; slug?: string }>;
      expect(items.length).toBeLessThanOrEqual(options.limit);
      const cursor = response.body.nextCursor as string | null;
      // A page that has a successor is full; an empty page is only possible as the first one.
      if (cursor !== null) expect(items).toHaveLength(options.limit);
      keys.push(...items.map((item) => String(item.id ?? item.slug)));
      await between(page);
      path = cursor === null ? undefined : nextPath(cursor);
    }
    return keys;
  }

  /** Inserts users tagged `u<run>-` so a `search` for the tag selects exactly this run's rows. */
  async function insertUsers(tag: string, drafts: Draft[]): Promise<Row[]> {
    // A serial number keeps emails unique; the random part still decides most comparisons.
    const emails = drafts.map((draft) => `${draft.mail}.${tag}${++serial}@example.test`);
    const ids = await insertRows(
      testApp,
      'users',
      drafts.map((draft, index) => ({
        username: `${tag}${draft.name}`,
        email: emails[index],
        password_hash: 'not-a-real-hash',
        role: 'user',
        created_at: stampSql(draft.stamp),
        updated_at: stampSql(draft.stamp),
      })),
    );
    return drafts.map((draft, index) => ({
      key: String(ids[index]),
      id: ids[index],
      stamp: draft.stamp,
      name: `${tag}${draft.name}`,
      mail: emails[index],
    }));
  }

  it('GET /api/users: any whitelisted sort, any page size, duplicate timestamps', async () => {
    await fc.assert(
      fc.asyncProperty(
        draftsArb(20, false),
        limitArb,
        termsArb(['createdAt', 'username', 'email', 'id'], 3),
        fc.boolean(),
        async (drafts, limit, terms, repeatSort) => {
          const tag = `u${++run}-`;
          const rows = await insertUsers(tag, drafts);
          const sort = sortParam(terms);
          const base = `/api/users?search=${tag}&limit=${limit}`;
          const walked = await walk(
            `${base}&sort=${sort}`,
            // The cursor carries its sort, so repeating it is optional.
            (cursor) => `${base}${repeatSort ? `&sort=${sort}` : ''}&cursor=${cursor}`,
            { listKey: 'users', limit, maxPages: rows.length + 1, token: adminToken },
          );
          expect(walked).toEqual([...rows].sort(compareRows(terms)).map((row) => row.key));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('GET /api/users: rows inserted between pages never duplicate or displace the others', async () => {
    await fc.assert(
      fc.asyncProperty(
        draftsArb(24, true),
        limitArb,
        termsArb(['createdAt', 'username', 'email', 'id'], 2),
        async (drafts, limit, terms) => {
          const tag = `u${++run}-`;
          const originals = drafts.filter((draft) => draft.after === undefined);
          const original = await insertUsers(tag, originals);
          const all = [...original];
          const sort = sortParam(terms);
          const base = `/api/users?search=${tag}&limit=${limit}&sort=${sort}`;
          const walked = await walk(
            base,
            (cursor) => `${base}&cursor=${cursor}`,
            { listKey: 'users', limit, maxPages: drafts.length + 1, token: adminToken },
            async (page) => {
              const late = drafts.filter((draft) => draft.after === page);
              if (late.length > 0) all.push(...(await insertUsers(tag, late)));
            },
          );
          const compare = compareRows(terms);
          const byKey = new Map(all.map((row) => [row.key, row]));
          expect(new Set(walked).size).toBe(walked.length);
          const walkedOriginals = walked.filter((key) => original.some((row) => row.key === key));
          expect(walkedOriginals).toEqual([...original].sort(compare).map((row) => row.key));
          // Late rows that do appear are in their sorted place too.
          const received = walked.map((key) => byKey.get(key)!);
          for (let index = 1; index < received.length; index++) {
            expect(compare(received[index - 1], received[index])).toBeLessThan(0);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  /** Creates an author and an article for one run; returns their ids. */
  async function insertAuthorAndArticle(tag: string) {
    const [authorId] = await insertRows(testApp, 'users', [
      {
        username: `${tag}author`,
        email: `${tag}author@example.test`,
        password_hash: 'not-a-real-hash',
        role: 'user',
      },
    ]);
    const [articleId] = await insertRows(testApp, 'articles', [
      { slug: `${tag}host`, title: 'Host', description: 'd', body: 'b', author_id: authorId },
    ]);
    return { authorId, articleId, username: `${tag}author`, slug: `${tag}host` };
  }

  it('GET /api/articles?author=: newest or oldest first, with articles published mid-walk', async () => {
    await fc.assert(
      fc.asyncProperty(
        draftsArb(20, true),
        limitArb,
        termsArb(['createdAt'], 1),
        async (drafts, limit, terms) => {
          const tag = `a${++run}-`;
          const { authorId, username } = await insertAuthorAndArticle(tag);
          // The host article is part of the author's list too.
          await testApp.dataSource.query(
            `DELETE FROM articles WHERE author_id = ${dialect === 'postgres' ? '$1' : '?'}`,
            [authorId],
          );
          const insert = async (batch: Draft[]): Promise<Row[]> => {
            const ids = await insertRows(
              testApp,
              'articles',
              batch.map((draft) => ({
                slug: `${tag}${draft.name}`,
                title: draft.name,
                description: 'd',
                body: 'b',
                author_id: authorId,
                created_at: stampSql(draft.stamp),
                updated_at: stampSql(draft.stamp),
              })),
            );
            return batch.map((draft, index) => ({
              key: `${tag}${draft.name}`,
              id: ids[index],
              stamp: draft.stamp,
              name: draft.name,
              mail: '',
            }));
          };
          const original = await insert(drafts.filter((draft) => draft.after === undefined));
          const base = `/api/articles?author=${username}&limit=${limit}&sort=${sortParam(terms)}`;
          const walked = await walk(
            base,
            (cursor) => `${base}&cursor=${cursor}`,
            { listKey: 'articles', limit, maxPages: drafts.length + 1 },
            async (page) => {
              await insert(drafts.filter((draft) => draft.after === page));
            },
          );
          expect(new Set(walked).size).toBe(walked.length);
          const originalKeys = new Set(original.map((row) => row.key));
          expect(walked.filter((key) => originalKeys.has(key))).toEqual(
            [...original].sort(compareRows(terms)).map((row) => row.key),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("GET /api/articles/:slug/comments: an article's comments in either direction", async () => {
    await fc.assert(
      fc.asyncProperty(
        draftsArb(20, false),
        limitArb,
        termsArb(['createdAt'], 1),
        async (drafts, limit, terms) => {
          const tag = `c${++run}-`;
          const { authorId, articleId, slug } = await insertAuthorAndArticle(tag);
          const ids = await insertRows(
            testApp,
            'comments',
            drafts.map((draft) => ({
              body: draft.name,
              article_id: articleId,
              author_id: authorId,
              created_at: stampSql(draft.stamp),
              updated_at: stampSql(draft.stamp),
            })),
          );
          const rows = drafts.map((draft, index) => ({
            key: String(ids[index]),
            id: ids[index],
            stamp: draft.stamp,
            name: draft.name,
            mail: '',
          }));
          const base = `/api/articles/${slug}/comments?limit=${limit}&sort=${sortParam(terms)}`;
          const walked = await walk(base, (cursor) => `${base}&cursor=${cursor}`, {
            listKey: 'comments',
            limit,
            maxPages: rows.length + 1,
          });
          expect(walked).toEqual([...rows].sort(compareRows(terms)).map((row) => row.key));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
