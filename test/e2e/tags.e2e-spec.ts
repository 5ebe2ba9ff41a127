import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle } from '../support/articles.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

describe('GET /api/tags', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    author = await registerUser(api, 'author');
  });
  afterAll(() => testApp.close());

  const tags = async (token?: string) => {
    const response = await api.get('/api/tags', { token });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['tags']);
    return response.body.tags as string[];
  };

  it('returns an empty list before any article is tagged', async () => {
    expect(await tags()).toEqual([]);
  });

  it('lists each tag in use once, most used first, then by name', async () => {
    await createArticle(api, author, { tagList: ['dragons', 'training'] });
    await createArticle(api, author, { tagList: ['dragons', 'angular'] });
    await createArticle(api, author, { tagList: ['dragons', 'training', 'zebra'] });
    await createArticle(api, author);

    expect(await tags()).toEqual(['dragons', 'training', 'angular', 'zebra']);
  });

  it('answers anonymous and signed-in callers alike', async () => {
    expect(await tags(author.token)).toEqual(await tags());
  });

  it('stops listing a tag once no article uses it', async () => {
    const article = await createArticle(api, author, { tagList: ['ephemeral', 'fleeting'] });
    expect(await tags()).toEqual(expect.arrayContaining(['ephemeral', 'fleeting']));

    await api.put(`/api/articles/${article.slug}`, {
      token: author.token,
      body: { article: { tagList: ['fleeting'] } },
    });
    expect(await tags()).not.toContain('ephemeral');

    await api.delete(`/api/articles/${article.slug}`, { token: author.token });
    expect(await tags()).not.toContain('fleeting');
  });

  it('keeps a tag other articles still use when one article drops it', async () => {
    const first = await createArticle(api, author, { tagList: ['shared-tag'] });
    await createArticle(api, author, { tagList: ['shared-tag'] });
    await api.delete(`/api/articles/${first.slug}`, { token: author.token });
    expect(await tags()).toContain('shared-tag');
  });

  it('is public: an invalid token is ignored', async () => {
    const response = await api.get('/api/tags', { token: 'garbage' });
    expect(response.status).toBe(200);
  });
});
