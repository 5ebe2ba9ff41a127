import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  loginTokens,
  newCredentials,
  registerUser,
  type RegisteredUser,
} from '../support/users.js';

const AUTH_MAX = 8;

/**
 * OWASP API6:2023 Unrestricted Access to Sensitive Business Flows. Conduit's flows worth
 * automating against are sign-up (account farming), popularity (favorites and follows as
 * counters) and session refresh (token multiplication). Each is bounded: sign-ups and refreshes
 * share the strict credential budget per address, and counters are idempotent per user, also
 * under concurrency.
 */
describe('API6:2023 unrestricted access to sensitive business flows', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let fan: RegisteredUser;
  let slug: string;

  beforeAll(async () => {
    testApp = await startTestApp({ RATE_LIMIT_AUTH_MAX: String(AUTH_MAX) });
    api = new Api(testApp.baseUrl);
    [author, fan] = [await registerUser(api, 'author'), await registerUser(api, 'fan')];
    slug = (await createArticle(api, author)).slug;
  });
  afterAll(() => testApp.close());

  it('counts one favorite per user, however often and concurrently it is sent', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.post(`/api/articles/${slug}/favorite`, { token: fan.token }),
      ),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    const article = (await api.get(`/api/articles/${slug}`)).body.article;
    expect(article.favoritesCount).toBe(1);
  });

  it('counts one follow per user, and a user cannot follow themselves', async () => {
    await Promise.all(
      Array.from({ length: 5 }, () =>
        api.post(`/api/profiles/${author.username}/follow`, { token: fan.token }),
      ),
    );
    const feed = await api.get('/api/articles/feed', { token: fan.token });
    expect(feed.body.articlesCount).toBe(1);
    const self = await api.post(`/api/profiles/${author.username}/follow`, { token: author.token });
    expect(self.status).toBeGreaterThanOrEqual(400);
    expect(self.status).toBeLessThan(500);
    expect(
      (await api.get(`/api/profiles/${author.username}`, { token: author.token })).body.profile
        ?.following ?? false,
    ).toBe(false);
  });

  it('turns several concurrent refreshes of one token into one new pair, not several', async () => {
    const session = await loginTokens(api, fan.email, fan.password);
    const attempts = await Promise.all(
      [1, 2, 3].map(() =>
        api.post('/api/auth/refresh', { body: { refreshToken: session.refreshToken } }),
      ),
    );
    // Within the grace window the same client gets the same pair back (see sessions e2e):
    // one rotation, so concurrency cannot multiply refresh tokens.
    expect(attempts.map((attempt) => attempt.status)).toEqual([200, 200, 200]);
    const issued = new Set(attempts.map((attempt) => attempt.body.user.refreshToken));
    expect(issued.size).toBe(1);
  });

  it('stops a sign-up flood from one address with 429, without creating the extra accounts', async () => {
    // Earlier registrations, logins and refreshes in this file share the same budget.
    const attempted: string[] = [];
    let limited = false;
    for (let attempt = 0; attempt <= AUTH_MAX && !limited; attempt += 1) {
      const credentials = newCredentials('farm');
      attempted.push(credentials.username);
      const response = await api.post('/api/users', { body: { user: credentials } });
      if (response.status === 429) {
        expectErrorEnvelope(response, 429, 'RATE_LIMITED');
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        limited = true;
      } else expect(response.status).toBe(201);
    }
    expect(limited).toBe(true);
    const refused = attempted.at(-1)!;
    const profile = await api.get(`/api/profiles/${refused}`);
    expectErrorEnvelope(profile, 404, 'NOT_FOUND');
  });
});
