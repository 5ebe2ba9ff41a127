import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { favorite, follow, mapWithConcurrency } from '../support/articles.js';
import { Api } from '../support/http.js';
import { countQueries } from '../support/query-counter.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/** More rows match every list below than the largest page holds. */
const PROLIFIC_ARTICLES = 105;
const OTHER_ARTICLES = 10;
const COMMENTS = 105;
/** Generous ceiling on statements per list request; the real check is "same for 1 and 100". */
const MAX_QUERIES_PER_REQUEST = 8;

/**
 * Lists must not issue a query per row (N+1): the number of SQL statements a request sends must
 * not depend on the page size. Each list is measured at limit=1 and limit=100 with more than
 * 100 matching rows, so a per-row query would show up as a difference of 99.
 */
describe('RealWorld SQL query counts', () => {
  let testApp: TestApp;
  let api: Api;
  let prolific: RegisteredUser;
  let other: RegisteredUser;
  let fan: RegisteredUser;
  let viewer: RegisteredUser;
  let commentedSlug: string;
  let slugs: string[];
  const measured: string[] = [];

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [prolific, other, fan, viewer] = await Promise.all(
      ['prolific', 'other', 'fan', 'viewer'].map((prefix) => registerUser(api, prefix)),
    );
    const authors = [
      ...Array.from({ length: PROLIFIC_ARTICLES }, () => prolific),
      ...Array.from({ length: OTHER_ARTICLES }, () => other),
    ];
    slugs = await mapWithConcurrency(authors, 8, async (author, index) => {
      const response = await api.post('/api/articles', {
        token: author.token,
        body: {
          article: {
            title: `Bulk article ${index}`,
            description: 'd',
            body: 'b',
            tagList: ['bulk', `topic-${index % 5}`, `author-${author.username}`],
          },
        },
      });
      if (response.status !== 201) throw new Error(`create failed: ${response.status}`);
      return response.body.article.slug as string;
    });
    await mapWithConcurrency(slugs, 8, (slug) => favorite(api, fan, slug));
    await mapWithConcurrency(slugs.slice(0, 30), 8, (slug) => favorite(api, viewer, slug));
    await follow(api, viewer, prolific.username);
    await follow(api, viewer, other.username);
    await follow(api, viewer, fan.username);
    commentedSlug = slugs[0];
    await mapWithConcurrency(Array.from({ length: COMMENTS }), 8, (_, index) =>
      api.post(`/api/articles/${commentedSlug}/comments`, {
        token: [fan, viewer, other][index % 3].token,
        body: { comment: { body: `Comment ${index}` } },
      }),
    );
  });
  afterAll(async () => {
    if (process.env.REPORT_QUERY_COUNTS) console.info(measured.join('\n'));
    await testApp.close();
  });

  /** Statements sent while serving `path`, with the parsed response. */
  const measure = async (path: string, token?: string) => {
    let response: Awaited<ReturnType<Api['get']>> | undefined;
    const { count } = await countQueries(testApp.dataSource, async () => {
      response = await api.get(path, { token });
    });
    expect(response!.status).toBe(200);
    return { count, body: response!.body };
  };

  it('counts the statements the application sends on this database driver', async () => {
    const { count, queries } = await countQueries(testApp.dataSource, async () => {
      await testApp.dataSource.query('SELECT 1');
      await api.get('/api/tags');
    });
    expect(queries[0]).toBe('SELECT 1');
    expect(count).toBeGreaterThanOrEqual(2);
  });

  const listCases: Array<[string, (users: { prolific: string; fan: string }) => string]> = [
    ['no filter', () => '/api/articles?'],
    ['the tag filter', () => '/api/articles?tag=bulk&'],
    ['the author filter', ({ prolific }) => `/api/articles?author=${prolific}&`],
    ['the favorited filter', ({ fan }) => `/api/articles?favorited=${fan}&`],
    [
      'all filters combined',
      ({ prolific, fan }) => `/api/articles?tag=bulk&author=${prolific}&favorited=${fan}&`,
    ],
  ];

  describe.each([
    ['an anonymous caller', false],
    ['a signed-in caller', true],
  ])('GET /api/articles for %s', (_label, signedIn) => {
    it.each(listCases)(
      'sends as many statements for 100 articles as for 1 with %s',
      async (label, pathFor) => {
        const token = signedIn ? viewer.token : undefined;
        const base = pathFor({ prolific: prolific.username, fan: fan.username });
        const one = await measure(`${base}limit=1`, token);
        const hundred = await measure(`${base}limit=100`, token);

        expect(one.body.articles).toHaveLength(1);
        expect(hundred.body.articles).toHaveLength(100);
        expect(hundred.body.articlesCount).toBeGreaterThan(100);
        expect(hundred.body.articlesCount).toBe(one.body.articlesCount);
        expect(hundred.count).toBe(one.count);
        expect(hundred.count).toBeLessThanOrEqual(MAX_QUERIES_PER_REQUEST);
        measured.push(
          `GET /api/articles ${label} (${signedIn ? 'token' : 'anonymous'}): ${one.count} vs ${hundred.count}`,
        );
      },
    );
  });

  it('sends as many statements for 100 feed articles as for 1', async () => {
    const one = await measure('/api/articles/feed?limit=1', viewer.token);
    const hundred = await measure('/api/articles/feed?limit=100', viewer.token);

    expect(one.body.articles).toHaveLength(1);
    expect(hundred.body.articles).toHaveLength(100);
    expect(hundred.body.articlesCount).toBe(PROLIFIC_ARTICLES + OTHER_ARTICLES);
    expect(hundred.count).toBe(one.count);
    expect(hundred.count).toBeLessThanOrEqual(MAX_QUERIES_PER_REQUEST);
    measured.push(`GET /api/articles/feed: ${one.count} vs ${hundred.count}`);
  });

  it.each([
    ['an anonymous caller', false],
    ['a signed-in caller', true],
  ])('sends as many statements for 100 comments as for 1 to %s', async (label, signedIn) => {
    const token = signedIn ? viewer.token : undefined;
    const path = `/api/articles/${commentedSlug}/comments`;
    const one = await measure(`${path}?limit=1`, token);
    const hundred = await measure(`${path}?limit=100`, token);

    expect(one.body.comments).toHaveLength(1);
    expect(hundred.body.comments).toHaveLength(100);
    expect(hundred.count).toBe(one.count);
    expect(hundred.count).toBeLessThanOrEqual(MAX_QUERIES_PER_REQUEST);
    measured.push(`GET /api/articles/:slug/comments (${label}): ${one.count} vs ${hundred.count}`);
  });

  it('lists tags with one statement however many articles use them, and none from the cache', async () => {
    // A tag change invalidates the cached list: the next read goes to the database.
    const tagger = await registerUser(api, 'tagger');
    const created = await api.post('/api/articles', {
      token: tagger.token,
      body: { article: { title: 'Tagged', description: 'd', body: 'b', tagList: ['fresh-tag'] } },
    });
    expect(created.status).toBe(201);

    const miss = await measure('/api/tags');
    expect(miss.body.tags.length).toBeGreaterThan(5);
    expect(miss.body.tags).toContain('fresh-tag');
    expect(miss.count).toBe(1);
    const hit = await measure('/api/tags');
    expect(hit.body).toEqual(miss.body);
    expect(hit.count).toBe(0);
    measured.push(`GET /api/tags: ${miss.count} uncached, ${hit.count} cached`);
  });

  it('reads a cached article with no statement anonymously, and only the viewer overlay signed in', async () => {
    const path = (slug: string) => `/api/articles/${slug}`;
    const anonymousMiss = await measure(path(slugs[1]));
    const anonymousHit = await measure(path(slugs[1]));
    expect(anonymousHit.body).toEqual(anonymousMiss.body);
    // The article with its author in one statement (no DISTINCT pre-query), then its tags and
    // its favorite count: what a hand-written server sends.
    expect(anonymousMiss.count).toBe(3);
    expect(anonymousHit.count).toBe(0);

    // slugs[2] is one the viewer favorited, by an author the viewer follows.
    const signedInMiss = await measure(path(slugs[2]), viewer.token);
    const signedInHit = await measure(path(slugs[2]), viewer.token);
    expect(signedInHit.body).toEqual(signedInMiss.body);
    expect(signedInHit.body.article).toMatchObject({
      favorited: true,
      author: { following: true },
    });
    // What the cache saves is exactly the anonymous view's statements.
    expect(signedInHit.count).toBe(signedInMiss.count - anonymousMiss.count);
    expect(signedInMiss.count).toBeLessThanOrEqual(MAX_QUERIES_PER_REQUEST);
    measured.push(
      `GET /api/articles/:slug: anonymous ${anonymousMiss.count} uncached, ${anonymousHit.count} cached; ` +
        `signed-in ${signedInMiss.count} uncached, ${signedInHit.count} cached`,
    );
  });
});
