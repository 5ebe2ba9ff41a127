import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createArticle,
  createComment,
  favorite,
  newArticleFields,
  postArticle,
} from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { dialect } from '../support/test-database.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

describe('RealWorld data integrity', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let reader: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [author, reader] = await Promise.all([
      registerUser(api, 'author'),
      registerUser(api, 'reader'),
    ]);
  });
  afterAll(() => testApp.close());

  /** First column of the first row, as a number (COUNT(*) is a string on PostgreSQL). */
  const count = async (sql: string) =>
    Number(Object.values((await testApp.dataSource.query(sql))[0])[0]);
  const articleId = (slug: string) => count(`SELECT id FROM articles WHERE slug = '${slug}'`);
  const tagNames = async () =>
    ((await testApp.dataSource.query('SELECT name FROM tags ORDER BY name')) as any[]).map(
      (row) => row.name as string,
    );

  describe('slugs', () => {
    it('gives two articles with the same title two different slugs', async () => {
      const title = `Same title ${Date.now()}`;
      const first = await createArticle(api, author, { title, body: 'first body' });
      const second = await createArticle(api, reader, { title, body: 'second body' });
      const third = await createArticle(api, author, { title, body: 'third body' });

      expect(new Set([first.slug, second.slug, third.slug]).size).toBe(3);
      for (const [slug, body] of [
        [first.slug, 'first body'],
        [second.slug, 'second body'],
        [third.slug, 'third body'],
      ]) {
        expect((await api.get(`/api/articles/${slug}`)).body.article.body).toBe(body);
      }
    });

    it('gives titles without letters or digits unique slugs too', async () => {
      const first = await createArticle(api, author, { title: '!!!' });
      const second = await createArticle(api, author, { title: '???' });
      expect(first.slug).toMatch(/^[a-z0-9-]+$/);
      expect(second.slug).toMatch(/^[a-z0-9-]+$/);
      expect(first.slug).not.toBe(second.slug);
    });

    it("does not take over another article's slug when a title changes to that article's title", async () => {
      const existing = await createArticle(api, author);
      const renamed = await createArticle(api, author);
      const response = await api.put(`/api/articles/${renamed.slug}`, {
        token: author.token,
        body: { article: { title: existing.title } },
      });

      expect(response.status).toBe(200);
      expect(response.body.article.slug).not.toBe(existing.slug);
      expect(response.body.article.slug).not.toBe(renamed.slug);
      expect((await api.get(`/api/articles/${existing.slug}`)).body.article.body).toBe(
        existing.body,
      );
    });

    it('frees the old slug when a title changes: it 404s and a new article may take it', async () => {
      const original = await createArticle(api, author);
      const renamed = await api.put(`/api/articles/${original.slug}`, {
        token: author.token,
        body: { article: { title: `${original.title} revised` } },
      });
      expect(renamed.body.article.slug).toBe(`${original.slug}-revised`);
      expectErrorEnvelope(await api.get(`/api/articles/${original.slug}`), 404, 'NOT_FOUND');

      const reuse = await createArticle(api, reader, { title: original.title });
      expect(reuse.slug).toBe(original.slug);
    });

    it('rejects a duplicate slug at the database level', async () => {
      await createArticle(api, author);
      await expect(
        testApp.dataSource.query(
          `INSERT INTO articles (slug, title, description, body, author_id)
           SELECT slug, title, description, body, author_id FROM articles WHERE id = (SELECT MIN(id) FROM articles)`,
        ),
      ).rejects.toThrow();
    });
  });

  describe('writes with tags are one transaction', () => {
    it('rejects the whole article and writes nothing when one tag is invalid', async () => {
      const [articles, links, tags] = await Promise.all([
        count('SELECT COUNT(*) FROM articles'),
        count('SELECT COUNT(*) FROM article_tags'),
        tagNames(),
      ]);
      const fields = newArticleFields({ tagList: ['valid-new-tag', 'x'.repeat(65)] });
      const response = await postArticle(api, author.token, fields);

      expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(await count('SELECT COUNT(*) FROM articles')).toBe(articles);
      expect(await count('SELECT COUNT(*) FROM article_tags')).toBe(links);
      expect(await tagNames()).toEqual(tags);
    });

    describe('when the database fails while linking a tag', () => {
      // A trigger makes linking the tag "explode" fail, after the article row and the new tag
      // rows were already written in the same transaction: all of it must be rolled back.
      beforeAll(async () => {
        const statements =
          dialect === 'postgres'
            ? [
                `CREATE FUNCTION reject_explode() RETURNS trigger AS $$
                 BEGIN
                   IF EXISTS (SELECT 1 FROM tags WHERE id = NEW.tag_id AND name = 'explode') THEN
                     RAISE EXCEPTION 'injected failure';
                   END IF;
                   RETURN NEW;
                 END $$ LANGUAGE plpgsql`,
                `CREATE TRIGGER reject_explode BEFORE INSERT ON article_tags
                 FOR EACH ROW EXECUTE FUNCTION reject_explode()`,
              ]
            : [
                `CREATE TRIGGER reject_explode BEFORE INSERT ON article_tags
                 WHEN NEW.tag_id IN (SELECT id FROM tags WHERE name = 'explode')
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
              ];
        for (const statement of statements) await testApp.dataSource.query(statement);
      });
      afterAll(async () => {
        await testApp.dataSource.query(
          dialect === 'postgres'
            ? 'DROP TRIGGER reject_explode ON article_tags'
            : 'DROP TRIGGER reject_explode',
        );
      });

      it('creates nothing: no article, no tags, no links', async () => {
        const [articles, links, tags] = await Promise.all([
          count('SELECT COUNT(*) FROM articles'),
          count('SELECT COUNT(*) FROM article_tags'),
          tagNames(),
        ]);
        const fields = newArticleFields({ tagList: ['brand-new', 'explode'] });
        const response = await postArticle(api, author.token, fields);

        expectErrorEnvelope(response, 500, 'INTERNAL_ERROR');
        expect(await count('SELECT COUNT(*) FROM articles')).toBe(articles);
        expect(await count('SELECT COUNT(*) FROM article_tags')).toBe(links);
        expect(await tagNames()).toEqual(tags);
        expect(await count(`SELECT COUNT(*) FROM articles WHERE title = '${fields.title}'`)).toBe(
          0,
        );
      });

      it('leaves the article exactly as it was when an update fails', async () => {
        const original = await createArticle(api, author, { tagList: ['before'] });
        const tags = await tagNames();
        const response = await api.put(`/api/articles/${original.slug}`, {
          token: author.token,
          body: {
            article: {
              title: 'Changed title',
              body: 'Changed body',
              tagList: ['after', 'explode'],
            },
          },
        });

        expectErrorEnvelope(response, 500, 'INTERNAL_ERROR');
        expect((await api.get(`/api/articles/${original.slug}`)).body.article).toEqual(original);
        expectErrorEnvelope(await api.get('/api/articles/changed-title'), 404, 'NOT_FOUND');
        expect(await tagNames()).toEqual(tags);
      });
    });
  });

  describe('deleting an article', () => {
    it('removes its comments, favorites and tag links, and tags nothing else uses', async () => {
      const doomed = await createArticle(api, author, { tagList: ['only-doomed', 'shared-tag'] });
      const survivor = await createArticle(api, reader, { tagList: ['shared-tag'] });
      for (const article of [doomed, survivor]) {
        await createComment(api, author, article.slug);
        await createComment(api, reader, article.slug);
        await favorite(api, author, article.slug);
        await favorite(api, reader, article.slug);
      }
      const id = await articleId(doomed.slug);
      const survivorId = await articleId(survivor.slug);

      const response = await api.delete(`/api/articles/${doomed.slug}`, { token: author.token });
      expect(response.status).toBe(204);

      expect(await count(`SELECT COUNT(*) FROM articles WHERE id = ${id}`)).toBe(0);
      expect(await count(`SELECT COUNT(*) FROM comments WHERE article_id = ${id}`)).toBe(0);
      expect(await count(`SELECT COUNT(*) FROM favorites WHERE article_id = ${id}`)).toBe(0);
      expect(await count(`SELECT COUNT(*) FROM article_tags WHERE article_id = ${id}`)).toBe(0);
      expect(await tagNames()).not.toContain('only-doomed');

      expect(await count(`SELECT COUNT(*) FROM comments WHERE article_id = ${survivorId}`)).toBe(2);
      expect(await count(`SELECT COUNT(*) FROM favorites WHERE article_id = ${survivorId}`)).toBe(
        2,
      );
      expect((await api.get(`/api/articles/${survivor.slug}`)).body.article).toMatchObject({
        tagList: ['shared-tag'],
        favoritesCount: 2,
      });
    });

    it('leaves no orphaned rows anywhere', async () => {
      const article = await createArticle(api, author, { tagList: ['orphan-check'] });
      await createComment(api, reader, article.slug);
      await favorite(api, reader, article.slug);
      await api.delete(`/api/articles/${article.slug}`, { token: author.token });

      const orphans = {
        comments: await count(
          'SELECT COUNT(*) FROM comments c WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id)',
        ),
        favorites: await count(
          'SELECT COUNT(*) FROM favorites f WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = f.article_id)',
        ),
        articleTags: await count(
          'SELECT COUNT(*) FROM article_tags l WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = l.article_id)',
        ),
        danglingTagLinks: await count(
          'SELECT COUNT(*) FROM article_tags l WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.id = l.tag_id)',
        ),
        unusedTags: await count(
          'SELECT COUNT(*) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM article_tags l WHERE l.tag_id = t.id)',
        ),
      };
      expect(orphans).toEqual({
        comments: 0,
        favorites: 0,
        articleTags: 0,
        danglingTagLinks: 0,
        unusedTags: 0,
      });
    });
  });

  describe('timestamps', () => {
    it('returns the stored instants as UTC ISO-8601 with milliseconds', async () => {
      const created = await createArticle(api, author);
      const updated = (
        await api.put(`/api/articles/${created.slug}`, {
          token: author.token,
          body: { article: { body: 'Changed' } },
        })
      ).body.article;
      const [row] = await testApp.dataSource.query(
        `SELECT created_at, updated_at FROM articles WHERE slug = '${created.slug}'`,
      );
      // SQLite keeps UTC text "YYYY-MM-DD HH:MM:SS.SSS"; the pg driver returns a Date.
      const iso = (value: string | Date) =>
        value instanceof Date ? value.toISOString() : `${value.replace(' ', 'T')}Z`;
      expect(updated.createdAt).toBe(iso(row.created_at));
      expect(updated.updatedAt).toBe(iso(row.updated_at));
      expect(updated.createdAt).toBe(created.createdAt);
    });
  });

  describe('schema', () => {
    const indexColumns = async (index: string): Promise<{ table: string; columns: string[] }> => {
      if (dialect === 'postgres') {
        const rows: Array<{ table: string; column: string }> = await testApp.dataSource.query(
          `SELECT i.indrelid::regclass::text AS "table", a.attname AS "column"
           FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
           WHERE c.relname = '${index}'
           ORDER BY array_position(i.indkey::int2[], a.attnum)`,
        );
        return { table: rows[0]?.table, columns: rows.map((row) => row.column) };
      }
      const [entry] = await testApp.dataSource.query(
        `SELECT tbl_name AS "table" FROM sqlite_master WHERE type = 'index' AND name = '${index}'`,
      );
      const columns: Array<{ name: string }> = await testApp.dataSource.query(
        `SELECT name FROM pragma_index_info('${index}') ORDER BY seqno`,
      );
      return { table: entry?.table, columns: columns.map((column) => column.name) };
    };

    const primaryKey = async (table: string): Promise<string[]> => {
      const rows: Array<{ column: string }> =
        dialect === 'postgres'
          ? await testApp.dataSource.query(
              `SELECT a.attname AS "column"
               FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
               WHERE i.indrelid = '${table}'::regclass AND i.indisprimary
               ORDER BY array_position(i.indkey::int2[], a.attnum)`,
            )
          : await testApp.dataSource.query(
              `SELECT name AS "column" FROM pragma_table_info('${table}') WHERE pk > 0 ORDER BY pk`,
            );
      return rows.map((row) => row.column);
    };

    it.each([
      ['idx_articles_created_id', 'articles', ['created_at', 'id'], 'the global newest-first list'],
      [
        'idx_articles_author_created_id',
        'articles',
        ['author_id', 'created_at', 'id'],
        'the author filter and the feed',
      ],
      ['idx_article_tags_tag', 'article_tags', ['tag_id', 'article_id'], 'the tag filter'],
      ['idx_favorites_article', 'favorites', ['article_id'], 'favorite counts'],
      ['idx_follows_followee', 'follows', ['followee_id'], 'followers of a user'],
      [
        'idx_comments_article_created_id',
        'comments',
        ['article_id', 'created_at', 'id'],
        "an article's comments",
      ],
    ])('has index %s on %s(%j) for %s', async (index, table, columns) => {
      expect(await indexColumns(index)).toEqual({ table, columns });
    });

    it.each([
      ['favorites', ['user_id', 'article_id'], 'one favorite per user and the favorited filter'],
      ['follows', ['follower_id', 'followee_id'], 'one follow per pair and the feed'],
      ['article_tags', ['article_id', 'tag_id'], 'one link per tag and tag lists'],
    ])('has primary key %s(%j) for %s', async (table, columns) => {
      expect(await primaryKey(table)).toEqual(columns);
    });

    it('created the RealWorld schema through a migration', async () => {
      const rows: Array<{ name: string }> = await testApp.dataSource.query(
        'SELECT name FROM migrations',
      );
      expect(rows.map((row) => row.name)).toContain('CreateRealworldSchema1764100000000');
    });
  });
});
