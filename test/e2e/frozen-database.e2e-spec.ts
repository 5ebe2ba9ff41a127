import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newArticleFields, postArticle } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startAppBehindProxy, type ProxiedPostgresApp } from '../support/proxied-postgres.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { dialect } from '../support/test-database.js';
import { pollUntil, timed } from '../support/timing.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/**
 * A *frozen* database connection: the network stops delivering bytes but nothing is closed or
 * reset, so the app only notices through its own timeouts. Simulated by a TCP proxy between the
 * app and PostgreSQL that stops forwarding (all connections, or one after it sent a given
 * statement). SQLite is a file inside the process: there is no connection to freeze, so on
 * SQLite this file checks the property that matters in both cases instead: a unit of work that
 * fails midway leaves nothing behind.
 */

const timings: string[] = [];
afterAll(() => {
  if (timings.length > 0) console.info(`frozen-database timings:\n  ${timings.join('\n  ')}`);
});

const expectUnavailable = (response: ApiResponse) => {
  expectErrorEnvelope(response, 503, 'SERVICE_UNAVAILABLE');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
};

/** Polls `condition` every 50 ms for at most `boundMs`; its last value. */
async function eventually(condition: () => boolean, boundMs: number): Promise<boolean> {
  const started = Date.now();
  while (!condition() && Date.now() - started < boundMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

if (dialect === 'postgres') {
  describe('a unit of work whose connection freezes after INSERT INTO "tags" (pool of 1)', () => {
    let behindProxy: ProxiedPostgresApp;
    let proxy: TcpProxy;
    let api: Api;
    let author: RegisteredUser;

    beforeAll(async () => {
      // One connection, so the next request necessarily gets whatever the pool holds.
      behindProxy = await startAppBehindProxy({
        DATABASE_POOL_SIZE: '1',
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      });
      ({ proxy, api } = behindProxy);
      author = await registerUser(api, 'frozen');
    }, 60_000);
    afterAll(() => behindProxy?.close());

    it('answers 503, destroys the frozen connection, and the next request commits only its own work', async () => {
      const froze = proxy.freezeAfter('INSERT INTO "tags"');
      const doomed = newArticleFields({ tagList: ['frozen-doomed'] });
      const { response, ms } = await timed(() => postArticle(api, author.token, doomed));
      await froze;
      timings.push(`frozen after INSERT INTO "tags" → 503 in ${ms} ms`);
      expectUnavailable(response);

      // The frozen connection is closed by the app, not put back into the pool: the proxy
      // sees it go (before the network even recovers).
      expect(await eventually(() => proxy.frozenConnections() === 0, 3000)).toBe(true);

      // The network recovers; whatever was held is delivered.
      proxy.thaw();
      const next = newArticleFields({ tagList: ['after-thaw'] });
      const created = await postArticle(api, author.token, next);
      expect(created.status).toBe(201);
      expect(created.body.article).toMatchObject({ title: next.title, tagList: ['after-thaw'] });

      // What the database holds: the second article with its tag, nothing of the first one.
      const articles = await behindProxy.query<{ title: string; tags: string[] }>(
        `SELECT a.title, COALESCE(array_agg(t.name ORDER BY t.name) FILTER (WHERE t.name IS NOT NULL), '{}') AS tags
           FROM articles a LEFT JOIN article_tags l ON l.article_id = a.id LEFT JOIN tags t ON t.id = l.tag_id
          GROUP BY a.id, a.title`,
      );
      expect(articles).toEqual([{ title: next.title, tags: ['after-thaw'] }]);
      const tags = await behindProxy.query<{ name: string }>('SELECT name FROM tags ORDER BY name');
      expect(tags).toEqual([{ name: 'after-thaw' }]);

      // And the connection in the pool is a healthy one: reads and writes keep working.
      expect((await api.get('/api/articles')).body.articlesCount).toBe(1);
      expect((await api.get('/api/user', { token: author.token })).status).toBe(200);
    }, 30_000);
  });

  describe('when the whole database freezes', () => {
    // Client-side query timeout = statement timeout + 1 s (see README): 3 s here.
    const STATEMENT_TIMEOUT_MS = 2000;
    const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 1000;
    const CONNECT_TIMEOUT_MS = 1000;
    const READY_TIMEOUT_MS = 500;
    /** Scheduling slack on a loaded machine. */
    const SLACK_MS = 1500;

    let behindProxy: ProxiedPostgresApp;
    let proxy: TcpProxy;
    let api: Api;
    let author: RegisteredUser;

    beforeAll(async () => {
      behindProxy = await startAppBehindProxy({
        DATABASE_POOL_SIZE: '2',
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DATABASE_READY_TIMEOUT_MS: String(READY_TIMEOUT_MS),
      });
      ({ proxy, api } = behindProxy);
      author = await registerUser(api, 'freeze');
      // Both pooled connections open and idle, so the freeze catches them in use.
      await Promise.all([api.get('/api/articles'), api.get('/api/tags')]);
    }, 60_000);
    afterAll(() => behindProxy?.close());

    it('answers every request with the 503 envelope within the query timeout, writes included', async () => {
      proxy.freeze();
      const requests: Array<[string, () => Promise<ApiResponse>]> = [
        ['POST /api/articles', () => postArticle(api, author.token, newArticleFields())],
        ['GET /api/articles', () => api.get('/api/articles')],
        ['POST /api/articles', () => postArticle(api, author.token, newArticleFields())],
        ['GET /api/user', () => api.get('/api/user', { token: author.token })],
      ];
      const results = await Promise.all(requests.map(([, request]) => timed(request)));
      results.forEach(({ response, ms }, index) => {
        timings.push(`frozen → ${requests[index][0]} 503 in ${ms} ms`);
        expectUnavailable(response);
        // At most one wait for a connection, then one query timeout; never a second timeout
        // for a ROLLBACK stuck behind the frozen statement.
        expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + QUERY_TIMEOUT_MS + SLACK_MS);
      });
      // Later requests get no frozen connection from the pool: only the connect timeout.
      const { response, ms } = await timed(() => api.get('/api/articles'));
      timings.push(`frozen, pool drained → GET /api/articles 503 in ${ms} ms`);
      expectUnavailable(response);
      expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
    }, 30_000);

    it('turns readiness to 503 within DATABASE_READY_TIMEOUT_MS while liveness stays 200', async () => {
      const { response, ms } = await timed(() => api.get('/api/health/ready'));
      timings.push(`frozen → readiness 503 in ${ms} ms (DATABASE_READY_TIMEOUT_MS=500)`);
      expectUnavailable(response);
      expect(ms).toBeLessThan(READY_TIMEOUT_MS + SLACK_MS);
      expect((await api.get('/api/health')).status).toBe(200);
    }, 30_000);

    it('recovers without a restart once the network does', async () => {
      proxy.thaw();
      const { response, ms } = await pollUntil(
        () => api.get('/api/health/ready'),
        (current) => current.status === 200,
        15_000,
      );
      timings.push(`thawed → readiness 200 after ${ms} ms`);
      expect(response.status).toBe(200);
      const created = await postArticle(api, author.token, newArticleFields({ tagList: ['back'] }));
      expect(created.status).toBe(201);
      expect((await api.get('/api/articles')).body.articlesCount).toBe(1);
    }, 30_000);
  });
} else {
  describe('on SQLite, where the database is a file in the process (no connection to freeze)', () => {
    let testApp: TestApp;
    let api: Api;
    let author: RegisteredUser;

    beforeAll(async () => {
      testApp = await startTestApp();
      api = new Api(testApp.baseUrl);
      author = await registerUser(api, 'unit');
      // A failure injected in the middle of the unit of work: after the article row, at its tags.
      await testApp.dataSource.query(
        `CREATE TRIGGER refuse_doomed_tag BEFORE INSERT ON tags WHEN NEW.name = 'doomed'
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      );
    });
    afterAll(() => testApp.close());

    it('leaves nothing of a unit of work that failed midway, and the next one commits only its own work', async () => {
      const failed = await postArticle(
        api,
        author.token,
        newArticleFields({ tagList: ['doomed'] }),
      );
      expect(failed.status).toBeGreaterThanOrEqual(500);

      const next = newArticleFields({ tagList: ['kept'] });
      const created = await postArticle(api, author.token, next);
      expect(created.status).toBe(201);

      const articles = await testApp.dataSource.query(
        'SELECT a.title, t.name FROM articles a LEFT JOIN article_tags l ON l.article_id = a.id LEFT JOIN tags t ON t.id = l.tag_id',
      );
      expect(articles).toEqual([{ title: next.title, name: 'kept' }]);
      expect(await testApp.dataSource.query('SELECT name FROM tags')).toEqual([{ name: 'kept' }]);
    });
  });
}
