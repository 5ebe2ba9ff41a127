import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, createComment } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { decodeClaims } from '../support/tokens.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/**
 * OWASP API1:2023 Broken Object Level Authorization: every object id an attacker can put in a
 * URL (slug, comment id, session id, username) must only let its owner change it. Mallory is
 * a fully authenticated user who knows Alice's ids; everything she tries is a clean 403/404
 * and Alice's data is unchanged afterwards.
 */
describe('API1:2023 broken object level authorization', () => {
  let testApp: TestApp;
  let api: Api;
  let alice: RegisteredUser;
  let mallory: RegisteredUser;
  let article: { slug: string; title: string; body: string };
  let comment: { id: number; body: string };

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [alice, mallory] = await Promise.all([
      registerUser(api, 'alice'),
      registerUser(api, 'mallory'),
    ]);
    article = await createArticle(api, alice, { tagList: ['private'] });
    comment = await createComment(api, alice, article.slug, "Alice's own words");
  });
  afterAll(() => testApp.close());

  const aliceArticle = async () =>
    (await api.get(`/api/articles/${article.slug}`, { token: alice.token })).body.article;

  describe("another user's article", () => {
    it('returns 403 when a user updates it, and leaves it unchanged', async () => {
      const response = await api.put(`/api/articles/${article.slug}`, {
        token: mallory.token,
        body: { article: { title: 'Pwned', body: 'defaced', tagList: [] } },
      });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect(await aliceArticle()).toMatchObject({
        slug: article.slug,
        title: article.title,
        body: article.body,
        tagList: ['private'],
      });
    });

    it('returns 403 when a user deletes it, and it still exists', async () => {
      const response = await api.delete(`/api/articles/${article.slug}`, { token: mallory.token });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect((await api.get(`/api/articles/${article.slug}`)).status).toBe(200);
    });

    it('returns 401, not 403 or 404, when an anonymous caller tries the same', async () => {
      const response = await api.delete(`/api/articles/${article.slug}`);
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    });
  });

  describe("another user's comment", () => {
    it('returns 403 when a user deletes it, and it is still listed', async () => {
      const response = await api.delete(`/api/articles/${article.slug}/comments/${comment.id}`, {
        token: mallory.token,
      });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      const list = await api.get(`/api/articles/${article.slug}/comments`);
      expect(list.body.comments.map((c: { id: number }) => c.id)).toContain(comment.id);
    });

    it("returns 404 when the comment is addressed through the attacker's own article", async () => {
      // The comment id alone must not be enough: it has to belong to the article in the URL,
      // otherwise the author of any article could delete comments anywhere.
      const own = await createArticle(api, mallory);
      const response = await api.delete(`/api/articles/${own.slug}/comments/${comment.id}`, {
        token: mallory.token,
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
      const list = await api.get(`/api/articles/${article.slug}/comments`);
      expect(list.body.comments.map((c: { id: number }) => c.id)).toContain(comment.id);
    });

    it('does not let the article author delete a comment written by someone else', async () => {
      const mallorysComment = await createComment(api, mallory, article.slug, 'first!');
      const response = await api.delete(
        `/api/articles/${article.slug}/comments/${mallorysComment.id}`,
        { token: alice.token },
      );
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
    });
  });

  describe("another user's session", () => {
    it('returns 403 when a user revokes it, and the session keeps working', async () => {
      const { sid } = decodeClaims(alice.token);
      const response = await api.delete(`/api/auth/sessions/${sid}`, { token: mallory.token });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect((await api.get('/api/user', { token: alice.token })).status).toBe(200);
    });

    it("never lists another user's sessions", async () => {
      const response = await api.get('/api/auth/sessions', { token: mallory.token });
      expect(response.status).toBe(200);
      const ids = response.body.sessions.map((session: { id: string }) => session.id);
      expect(ids).toEqual([decodeClaims(mallory.token).sid]);
      expect(ids).not.toContain(decodeClaims(alice.token).sid);
    });

    it("cannot refresh with another user's session id in place of a refresh token", async () => {
      const response = await api.post('/api/auth/refresh', {
        body: { refreshToken: decodeClaims(alice.token).sid },
      });
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    });
  });

  describe("another user's profile settings", () => {
    it('has no route that addresses another user by id or name for writing', async () => {
      for (const path of [
        `/api/user/${alice.id}`,
        `/api/users/${alice.id}`,
        `/api/profiles/${alice.username}`,
      ]) {
        const response = await api.put(path, {
          token: mallory.token,
          body: { user: { bio: 'pwned' } },
        });
        expect(response.status).toBe(404);
        expectErrorEnvelope(response, 404, 'ROUTE_NOT_FOUND');
      }
    });

    it("changes only the caller's own settings, whatever the body names", async () => {
      const response = await api.put('/api/user', {
        token: mallory.token,
        body: { user: { username: alice.username } },
      });
      // Alice's name is taken: the caller cannot become (or overwrite) her.
      expectErrorEnvelope(response, 409, 'CONFLICT');
      const profile = await api.get(`/api/profiles/${alice.username}`);
      expect(profile.body.profile).toMatchObject({ username: alice.username, bio: null });
      const self = await api.get('/api/user', { token: mallory.token });
      expect(self.body.user).toMatchObject({ username: mallory.username, email: mallory.email });
    });

    it("rejects an attempt to smuggle another user's id or email into the update", async () => {
      const response = await api.put('/api/user', {
        token: mallory.token,
        body: { user: { id: alice.id, bio: 'pwned' } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED').id).toEqual([
        'is not allowed',
      ]);
      const emailTaken = await api.put('/api/user', {
        token: mallory.token,
        body: { user: { email: alice.email } },
      });
      expectErrorEnvelope(emailTaken, 409, 'CONFLICT');
      const alicesView = await api.get('/api/user', { token: alice.token });
      expect(alicesView.body.user).toMatchObject({ email: alice.email, bio: null });
    });
  });

  it("does not reveal another user's follow list or favorites through personalised fields", async () => {
    await api.post(`/api/articles/${article.slug}/favorite`, { token: alice.token });
    const asMallory = await api.get(`/api/articles/${article.slug}`, { token: mallory.token });
    expect(asMallory.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
    const asAlice = await api.get(`/api/articles/${article.slug}`, { token: alice.token });
    expect(asAlice.body.article.favorited).toBe(true);
  });
});
