import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CountArticleFavorites1765700000000 } from '../../src/database/migrations/1765700000000-count-article-favorites.js';
import { TransactionRunner } from '../../src/database/transaction-runner.js';
import { ArticleCounts } from '../../src/modules/articles/index.js';
import {
  createArticle,
  favorite,
  follow,
  mapWithConcurrency,
  registerUsers,
} from '../support/articles.js';
import { Api } from '../support/http.js';
import { countQueries } from '../support/query-counter.js';
import { dialect } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import type { RegisteredUser } from '../support/users.js';

const USERS = 10;
const OPERATIONS = Number(process.env.COUNTS_OPERATIONS ?? 400);
const CONCURRENCY = 10;
const TAGS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

/** Deterministic PRNG (mulberry32), so a failing run can be replayed with COUNTS_SEED. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    below: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    tags: () => TAGS.filter(() => next() < 0.35),
  };
}

/**
 * `articlesCount` comes from counters that database triggers keep (see the CreateArticleCounts
 * migration). Whatever writes run, concurrently or by cascade, every count the API serves
 * must equal a fresh COUNT(*) of the rows.
 */
describe('exact article counts', () => {
  let testApp: TestApp;
  let api: Api;
  let users: RegisteredUser[];
  /** Raw SQL with positional parameters in this database's syntax. */
  const sql = (text: string, parameters: unknown[] = []) =>
    testApp.dataSource.query(
      dialect === 'postgres'
        ? text.replace(/\?/g, (_, i: number) => `$${countBefore(text, i)}`)
        : text,
      parameters,
    );
  const countBefore = (text: string, index: number) =>
    text.slice(0, index + 1).split('?').length - 1;
  const count = async (text: string, parameters: unknown[] = []) =>
    Number(Object.values((await sql(text, parameters))[0] as object)[0]);

  /**
   * What an account deletion does at database level: one DELETE, the rest by cascade. Through
   * the app's TransactionRunner so that, on SQLite, it does not run inside a transaction the
   * app has open on the shared connection.
   */
  const deleteUser = (user: RegisteredUser) =>
    testApp.app
      .get(TransactionRunner)
      .run((manager) =>
        manager.query(`DELETE FROM users WHERE id = ${dialect === 'postgres' ? '$1' : '?'}`, [
          user.id,
        ]),
      );

  beforeAll(async () => {
    // Registrations wait for an argon2 slot rather than failing fast on a loaded machine.
    testApp = await startTestApp({ CACHE_TTL_SECONDS: '0', PASSWORD_HASH_MAX_WAIT_MS: '60000' });
    api = new Api(testApp.baseUrl);
    users = await registerUsers(api, USERS, 'counted');
  });
  afterAll(() => testApp.close());

  const articlesCount = async (query: string, token?: string) => {
    const response = await api.get(`/api/articles${query}`, { token });
    expect(response.status).toBe(200);
    return response.body.articlesCount as number;
  };

  /**
   * Every list a client can ask for, compared with COUNT(*): all articles, each tag, each
   * user's articles, favorites and feed; and the stored counters themselves, row by row.
   */
  async function expectEveryCountExact(alive: RegisteredUser[]) {
    expect(await articlesCount('?limit=1')).toBe(await count('SELECT COUNT(*) FROM articles'));
    const tags = (await sql('SELECT id, name FROM tags')) as Array<{ id: number; name: string }>;
    for (const tag of [...tags, { id: -1, name: 'never-used' }]) {
      expect({ tag: tag.name, count: await articlesCount(`?tag=${tag.name}&limit=1`) }).toEqual({
        tag: tag.name,
        count: await count('SELECT COUNT(*) FROM article_tags WHERE tag_id = ?', [tag.id]),
      });
    }
    for (const user of alive) {
      const id = user.id;
      expect({
        user: user.username,
        author: await articlesCount(`?author=${user.username}&limit=1`),
        favorited: await articlesCount(`?favorited=${user.username}&limit=1`),
        feed: (await api.get('/api/articles/feed?limit=1', { token: user.token })).body
          .articlesCount,
      }).toEqual({
        user: user.username,
        author: await count('SELECT COUNT(*) FROM articles WHERE author_id = ?', [id]),
        favorited: await count('SELECT COUNT(*) FROM favorites WHERE user_id = ?', [id]),
        feed: await count(
          'SELECT COUNT(*) FROM articles WHERE author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?)',
          [id],
        ),
      });
    }
    // The stored rows, including those of deleted users and tags (which must be 0 or gone).
    const stored = (await sql('SELECT scope, key_id, total FROM article_counts')) as Array<{
      scope: string;
      key_id: number;
      total: number;
    }>;
    const actual: Record<string, string> = {
      all: 'SELECT COUNT(*) FROM articles WHERE 0 = ?',
      author: 'SELECT COUNT(*) FROM articles WHERE author_id = ?',
      tag: 'SELECT COUNT(*) FROM article_tags WHERE tag_id = ?',
      favorited: 'SELECT COUNT(*) FROM favorites WHERE user_id = ?',
      favoriters: 'SELECT COUNT(*) FROM favorites WHERE article_id = ?',
    };
    for (const row of stored) {
      expect({ ...row, total: Number(row.total) }).toEqual({
        ...row,
        total: await count(actual[row.scope], [row.key_id]),
      });
    }
    expect(await testApp.app.get(ArticleCounts).mismatches()).toEqual([]);
    expect(await favoritesCountsServed()).toEqual(await favoritesCountsOfRows());
  }

  /** Every article's `favoritesCount` as the list serves it, by slug. */
  async function favoritesCountsServed(): Promise<Record<string, number>> {
    const served: Record<string, number> = {};
    for (let offset = 0; ; offset += 100) {
      const response = await api.get(`/api/articles?limit=100&offset=${offset}`);
      expect(response.status).toBe(200);
      const page = response.body.articles as Array<{ slug: string; favoritesCount: number }>;
      for (const article of page) served[article.slug] = article.favoritesCount;
      if (page.length < 100) return served;
    }
  }

  async function favoritesCountsOfRows(): Promise<Record<string, number>> {
    const rows = (await sql(
      `SELECT a.slug, COUNT(f.user_id) AS n FROM articles a
       LEFT JOIN favorites f ON f.article_id = a.id GROUP BY a.slug`,
    )) as Array<{ slug: string; n: unknown }>;
    return Object.fromEntries(rows.map((row) => [row.slug, Number(row.n)]));
  }

  it('stays exact under a random concurrent workload, user deletions included', async () => {
    const seed = Number(process.env.COUNTS_SEED ?? Date.now() % 1_000_000);
    const rng = random(seed);
    const alive = [...users];
    const slugs: Array<{ slug: string; author: RegisteredUser }> = [];
    for (const user of alive) {
      for (let i = 0; i < 3; i++) {
        const article = await createArticle(api, user, { tagList: rng.tags() });
        slugs.push({ slug: article.slug, author: user });
      }
    }
    const statuses: Record<string, number[]> = {};
    const record = (operation: string, status: number) => (statuses[operation] ??= []).push(status);

    const operation = async (index: number) => {
      const actor = rng.pick(alive);
      const target = slugs.length > 0 ? rng.pick(slugs) : undefined;
      const other = rng.pick(alive);
      const token = actor.token;
      switch (rng.below(10)) {
        case 0:
        case 1: {
          const response = await api.post('/api/articles', {
            token,
            body: {
              article: {
                title: `Counted ${index}`,
                description: 'd',
                body: 'b',
                tagList: rng.tags(),
              },
            },
          });
          record('create', response.status);
          if (response.status === 201)
            slugs.push({ slug: response.body.article.slug, author: actor });
          return;
        }
        case 2: {
          if (!target) return;
          const response = await api.delete(`/api/articles/${target.slug}`, {
            token: target.author.token,
          });
          record('delete', response.status);
          return;
        }
        case 3: {
          if (!target) return;
          const response = await api.put(`/api/articles/${target.slug}`, {
            token: target.author.token,
            body: { article: { tagList: rng.tags() } },
          });
          record('retag', response.status);
          return;
        }
        case 4:
        case 5:
          if (!target) return;
          record(
            'favorite',
            (await api.post(`/api/articles/${target.slug}/favorite`, { token })).status,
          );
          return;
        case 6:
          if (!target) return;
          record(
            'unfavorite',
            (await api.delete(`/api/articles/${target.slug}/favorite`, { token })).status,
          );
          return;
        case 7:
          if (other === actor) return;
          record(
            'follow',
            (await api.post(`/api/profiles/${other.username}/follow`, { token })).status,
          );
          return;
        case 8:
          record(
            'unfollow',
            (await api.delete(`/api/profiles/${other.username}/follow`, { token })).status,
          );
          return;
        default:
          // A list read in the middle of the writes must never fail either.
          record('list', (await api.get(`/api/articles?tag=${rng.pick(TAGS)}`)).status);
      }
    };

    // Two users are deleted at database level while the workload runs: their articles,
    // favorites, follows and tag links go by ON DELETE CASCADE, in the same statement.
    const doomed = alive.splice(0, 2);
    const deletions = doomed.map(async (user, n) => {
      await new Promise((resolve) => setTimeout(resolve, 200 + n * 300));
      await deleteUser(user);
    });
    await Promise.all([
      mapWithConcurrency(
        Array.from({ length: OPERATIONS }, (_, i) => i),
        CONCURRENCY,
        (i) => operation(i),
      ),
      ...deletions,
    ]);

    // Writers only get answers a client can act on: no 5xx (deadlocks, constraint failures).
    const failed = Object.entries(statuses).filter(([, list]) => list.some((s) => s >= 500));
    expect({ seed, failed }).toEqual({ seed, failed: [] });
    for (const op of ['create', 'favorite', 'follow'])
      expect({ op, succeeded: (statuses[op] ?? []).some((s) => s < 300) }).toEqual({
        op,
        succeeded: true,
      });
    await expectEveryCountExact(alive);
  }, 240_000);

  it("keeps counts exact when a user's deletion cascades to articles, favorites and follows", async () => {
    const [author, fan, reader] = await registerUsers(api, 3, 'cascade');
    const first = await createArticle(api, author, { tagList: ['cascade-only', 'alpha'] });
    await createArticle(api, author, { tagList: ['cascade-only'] });
    const kept = await createArticle(api, fan, { tagList: ['alpha'] });
    await favorite(api, fan, first.slug);
    await favorite(api, author, kept.slug);
    await follow(api, reader, author.username);
    await follow(api, reader, fan.username);
    const before = {
      all: await articlesCount(''),
      alpha: await articlesCount('?tag=alpha'),
      feed: (await api.get('/api/articles/feed', { token: reader.token })).body.articlesCount,
    };
    expect(await articlesCount('?tag=cascade-only')).toBe(2);
    expect(await articlesCount(`?favorited=${fan.username}`)).toBe(1);

    const favoritesOfKept = async () =>
      (await api.get(`/api/articles/${kept.slug}`)).body.article.favoritesCount;
    expect(await favoritesOfKept()).toBe(1);

    await deleteUser(author);

    expect(await favoritesOfKept()).toBe(0);
    expect(await articlesCount('')).toBe(before.all - 2);
    expect(await articlesCount('?tag=alpha')).toBe(before.alpha - 1);
    expect(await articlesCount('?tag=cascade-only')).toBe(0);
    expect(await articlesCount(`?favorited=${fan.username}`)).toBe(0);
    expect(await articlesCount(`?author=${author.username}`)).toBe(0);
    expect((await api.get('/api/articles/feed', { token: reader.token })).body.articlesCount).toBe(
      before.feed - 2,
    );
    await expectEveryCountExact([fan, reader]);
  });

  it('counts combined filters from the rows, exactly', async () => {
    const [author, fan] = await registerUsers(api, 2, 'combined');
    const tagged = await createArticle(api, author, { tagList: ['combined-tag'] });
    await createArticle(api, author, { tagList: ['combined-tag'] });
    await createArticle(api, author);
    await favorite(api, fan, tagged.slug);
    expect(await articlesCount(`?author=${author.username}&tag=combined-tag`)).toBe(2);
    expect(await articlesCount(`?favorited=${fan.username}&tag=combined-tag`)).toBe(1);
    expect(
      await articlesCount(`?author=${author.username}&favorited=${fan.username}&tag=combined-tag`),
    ).toBe(1);
  });

  it('reads a single-filter count and favorite counts without counting rows', async () => {
    const [author] = await registerUsers(api, 1, 'nocount');
    await createArticle(api, author, { tagList: ['nocount'] });
    for (const query of [
      '',
      '?tag=nocount',
      `?author=${author.username}`,
      `?favorited=${author.username}`,
    ]) {
      const { queries } = await countQueries(testApp.dataSource, () =>
        api.get(`/api/articles${query}`),
      );
      expect({
        query,
        counts: queries.filter((q) => /COUNT\([\s\S]*FROM "(articles|favorites)"/i.test(q)),
      }).toEqual({
        query,
        counts: [],
      });
    }
  });

  it('finds and repairs counters that drifted (e.g. after a manual edit with triggers off)', async () => {
    const counts = testApp.app.get(ArticleCounts);
    const [author] = await registerUsers(api, 1, 'drift');
    await createArticle(api, author, { tagList: ['drift'] });
    const all = await count('SELECT COUNT(*) FROM articles');
    await sql("UPDATE article_counts SET total = total + 5 WHERE scope = 'all'");
    await sql("UPDATE article_counts SET total = 0 WHERE scope = 'author' AND key_id = ?", [
      author.id,
    ]);
    expect(await articlesCount('')).toBe(all + 5);

    const found = await counts.mismatches();
    expect(found).toEqual(
      expect.arrayContaining([
        { scope: 'all', keyId: 0, stored: all + 5, actual: all },
        { scope: 'author', keyId: author.id, stored: 0, actual: 1 },
      ]),
    );
    expect(found).toHaveLength(2);
    const repaired = await testApp.dataSource.transaction((manager) => counts.repair(manager));
    expect(repaired).toEqual(found);
    expect(await counts.mismatches()).toEqual([]);
    expect(await articlesCount('')).toBe(all);
    expect(await articlesCount(`?author=${author.username}`)).toBe(1);
  });

  it("backfills articles' favorite counts from existing favorites, and can be taken back", async () => {
    const counts = testApp.app.get(ArticleCounts);
    const [author, ...fans] = await registerUsers(api, 3, 'backfill');
    const { slug } = await createArticle(api, author);
    const favoritesCount = async () =>
      (await api.get(`/api/articles/${slug}`)).body.article.favoritesCount;
    const migration = new CountArticleFavorites1765700000000();
    const runner = testApp.dataSource.createQueryRunner();
    try {
      await favorite(api, fans[0], slug);
      await migration.down(runner);
      // Without the counts (favorites made meanwhile are not counted per article any more)…
      await favorite(api, fans[1], slug);
      expect(await favoritesCount()).toBe(0);
      expect(await sql("SELECT 1 FROM article_counts WHERE scope = 'favoriters'")).toEqual([]);
      // …and back: every favorite counted, including those made while it was gone.
      await migration.up(runner);
      expect(await favoritesCount()).toBe(2);
      expect(await counts.mismatches()).toEqual([]);
      await favorite(api, author, slug);
      expect(await favoritesCount()).toBe(3);
    } finally {
      await runner.release();
    }
  });
});
