import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createArticle,
  createComment,
  expectCommentShape,
  expectProfile,
  follow,
} from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

describe('comments', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let commenter: RegisteredUser;
  let reader: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [author, commenter, reader] = await Promise.all(
      ['author', 'commenter', 'reader'].map((prefix) => registerUser(api, prefix)),
    );
  });
  afterAll(() => testApp.close());

  const countComments = async () =>
    Number((await testApp.dataSource.query('SELECT COUNT(*) AS n FROM comments'))[0].n);
  const commentsPath = (slug: string) => `/api/articles/${slug}/comments`;

  describe('POST /api/articles/:slug/comments', () => {
    it('adds a comment and returns it in the exact single-comment shape', async () => {
      const article = await createArticle(api, author);
      const response = await api.post(commentsPath(article.slug), {
        token: commenter.token,
        body: { comment: { body: '  His name was my name too.  ' } },
      });

      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['comment']);
      expectCommentShape(response.body.comment);
      expect(response.body.comment.body).toBe('His name was my name too.');
      expectProfile(response.body.comment.author, commenter, false);
    });

    it('lets anyone signed in comment, including the article’s author', async () => {
      const article = await createArticle(api, author);
      const own = await createComment(api, author, article.slug, 'Author here');
      expect(own.author.username).toBe(author.username);
    });

    it('returns 401 and writes nothing when the caller is anonymous', async () => {
      const article = await createArticle(api, author);
      const before = await countComments();
      const response = await api.post(commentsPath(article.slug), {
        body: { comment: { body: 'Anonymous' } },
      });
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect(await countComments()).toBe(before);
    });

    it('returns 404 when the article does not exist', async () => {
      const response = await api.post(commentsPath('no-such-article'), {
        token: commenter.token,
        body: { comment: { body: 'Into the void' } },
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });

    it.each([
      ['a missing body', { comment: {} }, 'body'],
      ['a blank body', { comment: { body: '   ' } }, 'body'],
      ['a numeric body', { comment: { body: 12 } }, 'body'],
      ['a body with a NUL character', { comment: { body: 'a\u0000b' } }, 'body'],
      ['an unknown field', { comment: { body: 'ok', id: 5 } }, 'id'],
      ['no comment wrapper', { body: 'x' }, 'comment'],
      ['a comment array', { comment: [] }, 'comment'],
      ['a comment string', { comment: 'x' }, 'comment'],
    ])('returns 422 and writes nothing for %s', async (_label, body, field) => {
      const article = await createArticle(api, author);
      const before = await countComments();
      const response = await api.post(commentsPath(article.slug), {
        token: commenter.token,
        body,
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toContain(field);
      expect(await countComments()).toBe(before);
    });
  });

  describe('GET /api/articles/:slug/comments', () => {
    it('lists the article’s comments, newest first, in the exact shape', async () => {
      const article = await createArticle(api, author);
      const other = await createArticle(api, author);
      const first = await createComment(api, commenter, article.slug, 'first');
      await createComment(api, commenter, other.slug, 'elsewhere');
      const second = await createComment(api, reader, article.slug, 'second');

      const response = await api.get(commentsPath(article.slug));

      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(['comments', 'nextCursor']);
      expect(response.body.comments).toEqual([second, first]);
      for (const comment of response.body.comments) expectCommentShape(comment);
    });

    it('returns an empty list for an article without comments', async () => {
      const article = await createArticle(api, author);
      const response = await api.get(commentsPath(article.slug));
      expect(response.status).toBe(200);
      expect(response.body.comments).toEqual([]);
    });

    it('computes following for the caller and returns false to anonymous callers', async () => {
      const article = await createArticle(api, author);
      await createComment(api, commenter, article.slug, 'by commenter');
      await createComment(api, author, article.slug, 'by author');
      await follow(api, reader, commenter.username);

      const asReader = await api.get(commentsPath(article.slug), { token: reader.token });
      const following = Object.fromEntries(
        asReader.body.comments.map((comment: any) => [comment.body, comment.author.following]),
      );
      expect(following).toEqual({ 'by commenter': true, 'by author': false });

      const anonymous = await api.get(commentsPath(article.slug));
      for (const comment of anonymous.body.comments) expect(comment.author.following).toBe(false);
    });

    it('returns 404 when the article does not exist', async () => {
      expectErrorEnvelope(await api.get(commentsPath('no-such-article')), 404, 'NOT_FOUND');
    });

    it('answers an invalid token as an anonymous caller, with WWW-Authenticate', async () => {
      const article = await createArticle(api, author);
      const response = await api.get(commentsPath(article.slug), { token: 'garbage' });
      expect(response.status).toBe(200);
      expect(response.body.comments).toEqual([]);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });
  });

  describe('DELETE /api/articles/:slug/comments/:id', () => {
    it('lets the comment’s author delete it: 204 with no body, then it is gone', async () => {
      const article = await createArticle(api, author);
      const kept = await createComment(api, reader, article.slug, 'kept');
      const doomed = await createComment(api, commenter, article.slug, 'doomed');

      const response = await api.delete(`${commentsPath(article.slug)}/${doomed.id}`, {
        token: commenter.token,
      });

      expect(response.status).toBe(204);
      expect(response.body).toBeNull();
      expect((await api.get(commentsPath(article.slug))).body.comments).toEqual([kept]);
    });

    it("returns 403 when a user deletes another user's comment", async () => {
      const article = await createArticle(api, author);
      const comment = await createComment(api, commenter, article.slug);
      const response = await api.delete(`${commentsPath(article.slug)}/${comment.id}`, {
        token: reader.token,
      });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect((await api.get(commentsPath(article.slug))).body.comments).toEqual([comment]);
    });

    it("returns 403 when the article's author deletes someone else's comment on it", async () => {
      const article = await createArticle(api, author);
      const comment = await createComment(api, commenter, article.slug);
      const response = await api.delete(`${commentsPath(article.slug)}/${comment.id}`, {
        token: author.token,
      });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect((await api.get(commentsPath(article.slug))).body.comments).toEqual([comment]);
    });

    it('returns 401 and keeps the comment when the caller is anonymous', async () => {
      const article = await createArticle(api, author);
      const comment = await createComment(api, commenter, article.slug);
      const response = await api.delete(`${commentsPath(article.slug)}/${comment.id}`);
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect((await api.get(commentsPath(article.slug))).body.comments).toEqual([comment]);
    });

    it('returns 404 when the comment does not exist, also on a second delete', async () => {
      const article = await createArticle(api, author);
      const comment = await createComment(api, commenter, article.slug);
      const path = `${commentsPath(article.slug)}/${comment.id}`;
      expect((await api.delete(path, { token: commenter.token })).status).toBe(204);
      expectErrorEnvelope(await api.delete(path, { token: commenter.token }), 404, 'NOT_FOUND');
    });

    it('returns 404 when the comment belongs to another article, and keeps it', async () => {
      const article = await createArticle(api, author);
      const other = await createArticle(api, author);
      const comment = await createComment(api, commenter, article.slug);
      const response = await api.delete(`${commentsPath(other.slug)}/${comment.id}`, {
        token: commenter.token,
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
      expect((await api.get(commentsPath(article.slug))).body.comments).toEqual([comment]);
    });

    it.each([
      ['an unknown article', 'no-such-article', '1'],
      ['a non-numeric id', null, 'abc'],
      ['a huge id', null, '99999999999999999999999'],
      ['a negative id', null, '-1'],
      ['an id just past the 32-bit range (a 500 on PostgreSQL before)', null, '2147483648'],
      ['an id of 2^32', null, '4294967296'],
      ['an id past 2^53', null, '9007199254740993'],
      ['the largest id, which no comment has', null, '2147483647'],
      ['id zero', null, '0'],
      ['an id in exponent form', null, '1e3'],
    ])('returns 404 for %s', async (_label, slug, id) => {
      const article = await createArticle(api, author);
      const response = await api.delete(`${commentsPath(slug ?? article.slug)}/${id}`, {
        token: commenter.token,
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });
  });
});
