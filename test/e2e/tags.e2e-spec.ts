import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NormalizeTags1765400000000 } from '../../src/database/migrations/1765400000000-normalize-tags.js';
import { createArticle } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
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

  describe('normalisation (issue 14 item 12)', () => {
    it('stores every spelling of a tag as one normalised tag: NFKC, trimmed, case-folded', async () => {
      const first = await createArticle(api, author, {
        tagList: ['Wyverns', ' ｗｙｖｅｒｎｓ ', 'WYVERNS', 'Straße'],
      });
      const second = await createArticle(api, author, { tagList: ['wyverns', 'STRASSE'] });
      expect(first.tagList).toEqual(['strasse', 'wyverns']);
      expect(second.tagList).toEqual(['strasse', 'wyverns']);
      const listed = await tags();
      expect(listed.filter((tag) => tag.includes('wyvern'))).toEqual(['wyverns']);
      expect(listed.filter((tag) => /stra/i.test(tag))).toEqual(['strasse']);
      const rows = await testApp.dataSource.query(
        "SELECT name FROM tags WHERE LOWER(name) LIKE '%wyvern%'",
      );
      expect(rows).toHaveLength(1);
    });

    it('finds articles by any spelling of the tag', async () => {
      const article = await createArticle(api, author, { tagList: ['Griffins'] });
      for (const spelling of ['griffins', 'GRIFFINS', 'ｇｒｉｆｆｉｎｓ']) {
        const response = await api.get(`/api/articles?tag=${encodeURIComponent(spelling)}`);
        expect(response.body.articles.map((a: { slug: string }) => a.slug)).toEqual([article.slug]);
      }
    });

    it.each([
      ['a zero-width space', 'drag\u200bons'],
      ['a zero-width joiner', 'drag\u200dons'],
      ['a right-to-left override', '\u202esnogard'],
      ['a first-strong isolate', '\u2068dragons\u2069'],
      ['a byte-order mark inside', 'drag\ufeffons'],
      ['a Hangul filler (looks blank)', '\u3164'],
      ['a tab', 'drag\tons'],
    ])('refuses a tag with %s (422) and writes nothing', async (_label, tag) => {
      const response = await api.post('/api/articles', {
        token: author.token,
        body: { article: { title: 't', description: 'd', body: 'b', tagList: [tag] } },
      });
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED').tagList).toEqual([
        'must not contain invisible or bidirectional control characters',
      ]);
    });
  });
});

describe('GET /api/tags with TAGS_LIST_LIMIT', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({ TAGS_LIST_LIMIT: '3' });
    api = new Api(testApp.baseUrl);
    author = await registerUser(api, 'author');
  });
  afterAll(() => testApp.close());

  it('returns only the N most used tags, however many one user invents', async () => {
    await createArticle(api, author, { tagList: ['alpha', 'beta', 'gamma'] });
    await createArticle(api, author, { tagList: ['alpha', 'beta'] });
    await createArticle(api, author, { tagList: ['alpha'] });
    await createArticle(api, author, {
      tagList: Array.from({ length: 20 }, (_, index) => `spam-${index}`),
    });
    const response = await api.get('/api/tags');
    expect(response.body.tags).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('merges existing spellings of a tag when the migration runs', async () => {
    const { dataSource } = testApp;
    const article = await createArticle(api, author, { tagList: ['placeholder'] });
    const [{ id: articleId }] = await dataSource.query(
      `SELECT id FROM articles WHERE slug = '${article.slug}'`,
    );
    // Data written before tags were normalised: three spellings of one tag, and one link each.
    for (const name of ['Legacy', 'legacy ', 'ＬＥＧＡＣＹ']) {
      await dataSource.query(`INSERT INTO tags (name) VALUES ('${name}')`);
      const [{ id }] = await dataSource.query(`SELECT id FROM tags WHERE name = '${name}'`);
      await dataSource.query(
        `INSERT INTO article_tags (article_id, tag_id) VALUES (${Number(articleId)}, ${Number(id)})`,
      );
    }
    const runner = dataSource.createQueryRunner();
    try {
      await new NormalizeTags1765400000000().up(runner);
    } finally {
      await runner.release();
    }
    const rows = await dataSource.query(
      "SELECT t.name AS name FROM tags t JOIN article_tags l ON l.tag_id = t.id WHERE LOWER(t.name) LIKE '%legacy%' OR t.name LIKE '%ＬＥＧＡＣＹ%'",
    );
    expect(rows).toEqual([{ name: 'legacy' }]);
    const read = await api.get(`/api/articles/${article.slug}`);
    expect(read.body.article.tagList).toEqual(['legacy', 'placeholder']);
  });
});
