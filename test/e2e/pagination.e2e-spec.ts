import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, createComment, follow, mapWithConcurrency } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { buildApp, removeBuild, repoRoot } from '../support/spawn-server.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';
import { loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

/**
 * The pagination toolkit over HTTP, on every list endpoint: page-size limits, offset and
 * cursor paging, the sort and filter whitelists, and every way a request can be wrong (each a
 * 422 in the error envelope, never a 500). The property test (pagination-property) proves the
 * ordering guarantees; this file pins the contract.
 */

const ADMIN = { email: 'pagination-e2e-admin@example.com', password: 'admin-password-123' };
const ARTICLES = 25;
const COMMENTS = 3;
const MALFORMED = 'is malformed or was tampered with';

type ListName = 'users' | 'articles' | 'feed' | 'comments';
const LISTS: ListName[] = ['users', 'articles', 'feed', 'comments'];

describe('pagination on the list endpoints', () => {
  let testApp: TestApp;
  let api: Api;
  let adminToken: string;
  let author: RegisteredUser;
  let reader: RegisteredUser;
  let commentedSlug: string;

  beforeAll(async () => {
    testApp = await startTestApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    api = new Api(testApp.baseUrl);
    adminToken = (await loginTokens(api, ADMIN.email, ADMIN.password)).token;
    [author, reader] = await Promise.all([
      registerUser(api, 'author'),
      registerUser(api, 'reader'),
    ]);
    await follow(api, reader, author.username);
    const articles = await mapWithConcurrency(Array.from({ length: ARTICLES }), 5, () =>
      createArticle(api, author),
    );
    commentedSlug = articles[0].slug;
    for (let index = 0; index < COMMENTS; index++) {
      await createComment(api, reader, commentedSlug, `comment ${index}`);
    }
  });
  afterAll(() => testApp.close());

  /** The endpoint's path and the caller it needs (users: an admin; feed: a follower). */
  function endpoint(list: ListName): { path: string; token?: string; key: string } {
    switch (list) {
      case 'users':
        return { path: '/api/users', token: adminToken, key: 'users' };
      case 'articles':
        return { path: '/api/articles', key: 'articles' };
      case 'feed':
        return { path: '/api/articles/feed', token: reader.token, key: 'articles' };
      case 'comments':
        return { path: `/api/articles/${commentedSlug}/comments`, key: 'comments' };
    }
  }

  function get(list: ListName, query = ''): Promise<ApiResponse> {
    const { path, token } = endpoint(list);
    return api.get(`${path}${query ? `?${query}` : ''}`, { token });
  }

  /** The 422's messages for `field`, after checking the envelope and that nothing else failed. */
  function invalid(response: ApiResponse, field: string): string[] {
    const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
    expect(Object.keys(errors)).toEqual([field]);
    return errors[field];
  }

  /** A real cursor of `list`: the nextCursor of a one-item first page. */
  async function cursorOf(list: ListName, query = ''): Promise<string> {
    const response = await get(list, `limit=1${query ? `&${query}` : ''}`);
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toEqual(expect.any(String));
    return response.body.nextCursor;
  }

  describe('page size (limit) and offset', () => {
    it('lists articles 20 at a time by default, with articlesCount the total', async () => {
      const response = await get('articles');
      expect(response.status).toBe(200);
      expect(response.body.articles).toHaveLength(20);
      expect(response.body.articlesCount).toBe(ARTICLES);
      expect(response.body.nextCursor).toEqual(expect.any(String));
    });

    it('serves the remaining articles at offset 20, still counting them all', async () => {
      const response = await get('articles', 'offset=20');
      expect(response.body.articles).toHaveLength(ARTICLES - 20);
      expect(response.body.articlesCount).toBe(ARTICLES);
      expect(response.body.nextCursor).toBeNull();
    });

    it('answers an offset past the end with an empty page, not an error', async () => {
      const response = await get('articles', 'offset=1000');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ articles: [], articlesCount: ARTICLES, nextCursor: null });
    });

    it('serves page 1,000 at the largest page size by offset (RealWorld page links)', async () => {
      for (const list of ['articles', 'feed'] as const) {
        const response = await get(list, 'limit=100&offset=99900');
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ articles: [], articlesCount: ARTICLES, nextCursor: null });
      }
    });

    it.each(LISTS)(
      '%s: answers 422 naming the cursor for an offset above PAGINATION_MAX_OFFSET',
      async (list) => {
        expect(invalid(await get(list, 'offset=100001'), 'offset')).toEqual([
          "must not be greater than 100000 (PAGINATION_MAX_OFFSET); page deeper with cursor, passing the previous page's nextCursor",
        ]);
      },
    );

    it('gives the feed the same paging as the article list', async () => {
      const response = await get('feed', 'limit=10&offset=20');
      expect(response.body.articles).toHaveLength(ARTICLES - 20);
      expect(response.body.articlesCount).toBe(ARTICLES);
    });

    it('returns every comment by default (RealWorld clients expect them all)', async () => {
      const response = await get('comments');
      expect(response.body.comments).toHaveLength(COMMENTS);
      expect(response.body.nextCursor).toBeNull();
    });

    it('reports usersCount, limit and offset on the admin user list', async () => {
      const response = await get('users', 'limit=2&offset=1');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ usersCount: 3, limit: 2, offset: 1, nextCursor: null });
      expect(response.body.users).toHaveLength(2);
    });

    it.each(LISTS)('%s: accepts limit=100, the maximum', async (list) => {
      expect((await get(list, 'limit=100')).status).toBe(200);
    });

    it.each(LISTS)('%s: rejects limit=101 with a 422 naming the maximum', async (list) => {
      expect(invalid(await get(list, 'limit=101'), 'limit')).toEqual([
        'must not be greater than 100',
      ]);
    });

    it.each(LISTS)('%s: rejects a huge limit instead of serving it', async (list) => {
      expect(invalid(await get(list, 'limit=99999999999999999999'), 'limit')).toEqual([
        'must not be greater than 100',
      ]);
    });

    it.each(
      LISTS.flatMap((list) => ['0', '-1', '1.5', 'abc', '', '1e3', '0x10'].map((v) => [list, v])),
    )('%s: rejects limit=%j', async (list, value) => {
      invalid(await get(list as ListName, `limit=${encodeURIComponent(value)}`), 'limit');
    });

    it.each(LISTS.flatMap((list) => ['-1', '1.5', 'abc', ''].map((value) => [list, value])))(
      '%s: rejects offset=%j',
      async (list, value) => {
        invalid(await get(list as ListName, `offset=${encodeURIComponent(value)}`), 'offset');
      },
    );

    it('rejects a repeated limit rather than picking one', async () => {
      invalid(await get('articles', 'limit=1&limit=2'), 'limit');
    });
  });

  describe('cursor paging', () => {
    /** Follows nextCursor from `query` to the end; returns each page's body. */
    async function walk(list: ListName, query: string): Promise<any[]> {
      const pages: any[] = [];
      let response = await get(list, query);
      for (;;) {
        expect(response.status).toBe(200);
        pages.push(response.body);
        if (response.body.nextCursor === null) return pages;
        expect(pages.length).toBeLessThan(50);
        response = await get(list, `${query}&cursor=${response.body.nextCursor}`);
      }
    }

    it('walks the article list to the end, each page counted, in the offset order', async () => {
      const pages = await walk('articles', 'limit=10');
      expect(pages.map((page) => page.articles.length)).toEqual([10, 10, 5]);
      expect(pages.map((page) => page.articlesCount)).toEqual([ARTICLES, ARTICLES, ARTICLES]);
      const all = (await get('articles', 'limit=100')).body.articles;
      expect(pages.flatMap((page) => page.articles)).toEqual(all);
    });

    it('walks the feed, oldest first when asked', async () => {
      const pages = await walk('feed', 'limit=12&sort=createdAt');
      const slugs = pages.flatMap((page) => page.articles.map((a: { slug: string }) => a.slug));
      const newest = (await get('feed', 'limit=100')).body.articles.map(
        (a: { slug: string }) => a.slug,
      );
      expect(slugs).toEqual([...newest].reverse());
    });

    it("walks an article's comments", async () => {
      const pages = await walk('comments', 'limit=2');
      expect(pages.map((page) => page.comments.length)).toEqual([2, 1]);
      expect(pages.flatMap((page) => page.comments)).toEqual((await get('comments')).body.comments);
    });

    it('walks the users by username, and the cursor alone keeps that sort', async () => {
      const first = await get('users', 'limit=2&sort=username');
      const second = await get('users', `limit=2&cursor=${first.body.nextCursor}`);
      const names = [...first.body.users, ...second.body.users].map(
        (user: { username: string }) => user.username,
      );
      expect(names).toEqual([...names].sort());
      expect(names).toHaveLength(3);
      expect(second.body).toMatchObject({ usersCount: 3, offset: 0, nextCursor: null });
    });

    it.each(LISTS)('%s: rejects a cursor with one payload character changed', async (list) => {
      const cursor = await cursorOf(list);
      const tampered = `${cursor[0] === 'A' ? 'B' : 'A'}${cursor.slice(1)}`;
      expect(invalid(await get(list, `cursor=${tampered}`), 'cursor')).toEqual([MALFORMED]);
    });

    it.each(LISTS)('%s: rejects a cursor with one signature character changed', async (list) => {
      const cursor = await cursorOf(list);
      const tampered = `${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`;
      expect(invalid(await get(list, `cursor=${tampered}`), 'cursor')).toEqual([MALFORMED]);
    });

    it.each(LISTS)('%s: rejects a truncated cursor', async (list) => {
      const cursor = await cursorOf(list);
      for (const cut of [
        cursor.slice(0, 10),
        cursor.slice(0, cursor.indexOf('.') + 1),
        cursor.slice(0, -3),
      ]) {
        expect(invalid(await get(list, `cursor=${cut}`), 'cursor')).toEqual([MALFORMED]);
      }
    });

    it.each(
      LISTS.flatMap((list) =>
        [
          'garbage',
          '',
          '.',
          'a.b.c',
          '%00%ff',
          'eyJsaXN0IjoidXNlcnMifQ.AAAAAAAAAAAAAAAAAAAAAA',
        ].map((cursor) => [list, cursor]),
      ),
    )('%s: rejects the malformed cursor %j', async (list, cursor) => {
      expect(invalid(await get(list as ListName, `cursor=${cursor}`), 'cursor')).toEqual([
        MALFORMED,
      ]);
    });

    it('rejects an over-long cursor', async () => {
      invalid(await get('articles', `cursor=${'A'.repeat(5000)}`), 'cursor');
    });

    it('rejects a cursor of the user list on the article list', async () => {
      const cursor = await cursorOf('users');
      expect(invalid(await get('articles', `cursor=${cursor}`), 'cursor')).toEqual([
        'belongs to another list',
      ]);
    });

    it('rejects a cursor of the article list on the comment list', async () => {
      const cursor = await cursorOf('articles');
      expect(invalid(await get('comments', `cursor=${cursor}`), 'cursor')).toEqual([
        'belongs to another list',
      ]);
    });

    it('rejects a cursor issued for another sort', async () => {
      const cursor = await cursorOf('users', 'sort=username');
      expect(invalid(await get('users', `sort=-createdAt&cursor=${cursor}`), 'cursor')).toEqual([
        'was issued for sort "username", not "-createdAt"; keep the sort while paging',
      ]);
    });

    it.each(LISTS)('%s: rejects a cursor combined with an offset', async (list) => {
      const cursor = await cursorOf(list);
      expect(invalid(await get(list, `offset=0&cursor=${cursor}`), 'cursor')).toEqual([
        'cannot be combined with offset',
      ]);
    });
  });

  describe('sort and filter whitelists', () => {
    it('sorts users by several fields', async () => {
      const response = await get('users', 'sort=-createdAt,username&limit=100');
      expect(response.status).toBe(200);
      expect(response.body.users).toHaveLength(3);
    });

    it.each(LISTS)('%s: names an unknown sort field and lists the allowed ones', async (list) => {
      const [message] = invalid(await get(list, 'sort=-createdAt,passwordHash'), 'sort');
      expect(message).toMatch(/^cannot sort by "passwordHash"; allowed: .*createdAt/);
    });

    it.each(
      LISTS.flatMap((list) =>
        ['createdAt:desc', '--createdAt', 'created_at', 'createdAt;DROP TABLE users'].map(
          (token) => [list, token],
        ),
      ),
    )('%s: names the malformed sort term %j', async (list, token) => {
      const messages = invalid(
        await get(list as ListName, `sort=${encodeURIComponent(token)}`),
        'sort',
      );
      expect(messages).toEqual([`"${token}" is not a valid sort term; use "field" or "-field"`]);
    });

    it.each(LISTS)('%s: names a sort field given twice', async (list) => {
      expect(invalid(await get(list, 'sort=createdAt,-createdAt'), 'sort')).toEqual([
        'lists "createdAt" more than once',
      ]);
    });

    it.each(LISTS)('%s: rejects an unknown query parameter, naming it', async (list) => {
      expect(invalid(await get(list, 'page=2'), 'page')).toEqual(['is not allowed']);
    });

    it('rejects a filter of another endpoint (tag is not a user filter)', async () => {
      expect(invalid(await get('users', 'tag=dragons'), 'tag')).toEqual(['is not allowed']);
    });

    it('rejects a user role outside the enumeration', async () => {
      invalid(await get('users', 'role=superuser'), 'role');
    });

    it('treats filter values as data, never as SQL', async () => {
      const response = await get('articles', `author=${encodeURIComponent("x' OR '1'='1")}`);
      expect(response.body).toEqual({ articles: [], articlesCount: 0, nextCursor: null });
    });

    it('reports every paging defect of a request at once', async () => {
      const errors = expectErrorEnvelope(
        await get('articles', 'limit=500&sort=title&cursor=nope'),
        422,
        'VALIDATION_FAILED',
      );
      expect(Object.keys(errors).sort()).toEqual(['cursor', 'limit', 'sort']);
    });
  });

  describe('OpenAPI document', () => {
    let document: any;

    beforeAll(async () => {
      document = (await api.get('/docs-json')).body;
    });

    const operations: Array<[ListName, string]> = [
      ['users', '/api/users'],
      ['articles', '/api/articles'],
      ['feed', '/api/articles/feed'],
      ['comments', '/api/articles/{slug}/comments'],
    ];

    it.each(operations)('%s: documents limit, offset, cursor and sort', (_list, path) => {
      const parameters = document.paths[path].get.parameters as Array<any>;
      const query = Object.fromEntries(
        parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]),
      );
      expect(query.limit).toMatchObject({
        required: false,
        schema: { type: 'integer', minimum: 1 },
      });
      expect(query.limit.description).toMatch(/maximum 100/);
      expect(query.offset).toMatchObject({
        required: false,
        schema: { type: 'integer', minimum: 0 },
      });
      expect(query.cursor).toMatchObject({ required: false, schema: { type: 'string' } });
      expect(query.sort).toMatchObject({ required: false, schema: { type: 'string' } });
      expect(document.paths[path].get.responses['422']).toBeDefined();
    });
  });
});

describe('pagination with PAGINATION_MAX_LIMIT=30', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({ PAGINATION_MAX_LIMIT: '30' });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('accepts limit=30 and rejects limit=31 naming the configured maximum', async () => {
    expect((await api.get('/api/articles?limit=30')).status).toBe(200);
    const errors = expectErrorEnvelope(
      await api.get('/api/articles?limit=31'),
      422,
      'VALIDATION_FAILED',
    );
    expect(errors).toEqual({ limit: ['must not be greater than 30'] });
  });
});

/**
 * Response schemas come from the Nest CLI's Swagger plugin, which reads the controllers'
 * return types at build time; ts-jest does not run it, so the in-process document has none.
 * This builds the application as `npm run build` does (into a private directory) and reads
 * /docs-json from the built code.
 */
describe('OpenAPI document of the built application', () => {
  let workDir: string;
  let document: any;

  beforeAll(async () => {
    workDir = join(dirname(await buildApp()), '..', '..');
    const script = join(workDir, 'print-openapi.mjs');
    writeFileSync(
      script,
      `import { createApp } from './dist/src/app.factory.js';
import { loadConfig } from './dist/src/config/app.config.js';
const config = loadConfig({ NODE_ENV: 'test', SQLITE_PATH: ':memory:', LOG_LEVEL: 'silent', JWT_SECRET: ${JSON.stringify(TEST_JWT_SECRET)} });
const app = await createApp(config, { swaggerUi: false });
await app.init();
const response = await app.inject({ method: 'GET', url: '/docs-json' });
process.stdout.write(response.body);
await app.close();
`,
    );
    document = JSON.parse(await run([script]));
  }, 180_000);
  afterAll(() => removeBuild());

  /** Runs node with `args` in the repository (SQLite, no inherited configuration). */
  function run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        args,
        { cwd: repoRoot, env: { PATH: process.env.PATH ?? '' }, maxBuffer: 32 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${args.join(' ')} failed:\n${stdout}${stderr}`));
          else resolve(stdout);
        },
      );
    });
  }

  /** The properties of the schema the operation's 200 response refers to. */
  function listSchema(path: string): Record<string, any> {
    const ref: string =
      document.paths[path].get.responses['200'].content['application/json'].schema.$ref;
    return document.components.schemas[ref.split('/').pop()!].properties;
  }

  it.each([
    ['/api/users', ['users', 'usersCount', 'limit', 'offset', 'nextCursor']],
    ['/api/articles', ['articles', 'articlesCount', 'nextCursor']],
    ['/api/articles/feed', ['articles', 'articlesCount', 'nextCursor']],
    ['/api/articles/{slug}/comments', ['comments', 'nextCursor']],
  ])('GET %s documents its meta fields', (path, fields) => {
    const properties = listSchema(path);
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(fields));
    expect(properties.nextCursor).toMatchObject({ type: 'string', nullable: true });
  });
});
