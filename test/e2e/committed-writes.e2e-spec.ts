import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, newArticleFields, postArticle } from '../support/articles.js';
import { Api, type ApiResponse } from '../support/http.js';
import { countQueries } from '../support/query-counter.js';
import { startAppBehindProxy, type ProxiedPostgresApp } from '../support/proxied-postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { dialect } from '../support/test-database.js';
import { newCredentials, registerUser, type RegisteredUser } from '../support/users.js';

/**
 * Once a write has committed, the client gets its success: every write builds its response
 * inside its own transaction, so no statement follows the COMMIT and nothing can fail (and
 * answer 5xx, inviting a retry that would write twice) after the data is in.
 */

/** How many transactions a request committed, and the statements it sent after the last one. */
async function statementsAfterCommit(testApp: TestApp, request: () => Promise<ApiResponse>) {
  let response: ApiResponse | undefined;
  const { queries } = await countQueries(testApp.dataSource, async () => {
    response = await request();
  });
  const isCommit = (query: string) => /^\s*COMMIT\b/i.test(query);
  const lastCommit = queries.findLastIndex(isCommit);
  return {
    status: response!.status,
    commits: queries.filter(isCommit).length,
    after: lastCommit >= 0 ? queries.slice(lastCommit + 1) : queries,
  };
}

describe('writes answer from their own transaction (no statement after COMMIT)', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let reader: RegisteredUser;
  let slug: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    author = await registerUser(api, 'writer');
    reader = await registerUser(api, 'reader');
    slug = (await createArticle(api, author, { tagList: ['first'] })).slug;
  });
  afterAll(() => testApp.close());

  const writes: Array<[string, number, () => Promise<ApiResponse>]> = [
    [
      'POST /api/users (register)',
      201,
      () => api.post('/api/users', { body: { user: newCredentials('fresh') } }),
    ],
    [
      'POST /api/users/login',
      200,
      () =>
        api.post('/api/users/login', {
          body: { user: { email: reader.email, password: reader.password } },
        }),
    ],
    [
      'POST /api/articles',
      201,
      () => postArticle(api, author.token, newArticleFields({ tagList: ['a', 'b'] })),
    ],
    [
      'PUT /api/articles/:slug',
      200,
      () =>
        api.put(`/api/articles/${slug}`, {
          token: author.token,
          body: { article: { body: 'changed', tagList: ['second'] } },
        }),
    ],
    [
      'POST /api/articles/:slug/favorite',
      200,
      () => api.post(`/api/articles/${slug}/favorite`, { token: reader.token }),
    ],
    [
      'DELETE /api/articles/:slug/favorite',
      200,
      () => api.delete(`/api/articles/${slug}/favorite`, { token: reader.token }),
    ],
    [
      'POST /api/articles/:slug/comments',
      200,
      () =>
        api.post(`/api/articles/${slug}/comments`, {
          token: reader.token,
          body: { comment: { body: 'Nice' } },
        }),
    ],
    [
      'POST /api/profiles/:username/follow',
      200,
      () => api.post(`/api/profiles/${author.username}/follow`, { token: reader.token }),
    ],
    [
      'PUT /api/user (new password: ends the other sessions in the same transaction)',
      200,
      () =>
        api.put('/api/user', {
          token: reader.token,
          body: { user: { password: 'another-password', bio: 'new bio' } },
        }),
    ],
  ];

  it.each(writes)('%s', async (_label, status, request) => {
    const outcome = await statementsAfterCommit(testApp, request);
    // One unit of work, and nothing after its COMMIT.
    expect(outcome).toEqual({ status, commits: 1, after: [] });
  });
});

if (dialect === 'postgres') {
  describe('a write whose response read freezes (PostgreSQL)', () => {
    let behindProxy: ProxiedPostgresApp;
    let author: RegisteredUser;

    beforeAll(async () => {
      behindProxy = await startAppBehindProxy({
        DATABASE_POOL_SIZE: '2',
        DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      });
      author = await registerUser(behindProxy.api, 'frozen_read');
    }, 60_000);
    afterAll(() => behindProxy?.close());

    it('answers 503 only when nothing was committed, so a retry cannot write twice', async () => {
      // The favorites count is read for the response, after the article and its tags are written.
      const { api, proxy } = behindProxy;
      const froze = proxy.freezeAfter('FROM "favorites" "favorite"');
      const fields = newArticleFields({ tagList: ['frozen-read'] });
      const response = await postArticle(api, author.token, fields);
      await froze;
      proxy.thaw();
      const stored = (await behindProxy.query<{ title: string }>('SELECT title FROM articles')).map(
        (row) => row.title,
      );
      // The request failed before its COMMIT, so it left nothing: the client may retry.
      expect({ status: response.status, stored: stored.includes(fields.title) }).toEqual({
        status: 503,
        stored: false,
      });
    }, 30_000);
  });
}
