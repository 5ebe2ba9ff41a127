import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { {{Entity}} } from '../../src/modules/{{kebabs}}/entities/{{kebab}}.entity.js';
import { ISO_TIMESTAMP } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/**
 * `/api/{{kebabs}}` over HTTP against the real app and a fresh database: CRUD, paging, and the
 * rules that keep each {{label}} private to its owner (401 anonymous, 403 another user, 404
 * unknown), plus the check that the migration creates exactly what the entity describes.
 */
describe('{{kebabs}}', () => {
  const PATH = '/api/{{kebabs}}';
  let testApp: TestApp;
  let api: Api;
  let owner: RegisteredUser;
  let intruder: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [owner, intruder] = await Promise.all([
      registerUser(api, 'owner'),
      registerUser(api, 'intruder'),
    ]);
  });
  afterAll(() => testApp.close());

  const rows = () => testApp.dataSource.getRepository({{Entity}});
  const countRows = () => rows().count();

  /** Creates a {{label}} as `user` and returns it; throws unless the API answers 201. */
  async function create{{Entity}}(
    user: { token: string },
    fields: Record<string, unknown> = {},
  ): Promise<any> {
    const response = await api.post(PATH, {
      token: user.token,
      body: { {{entity}}: { title: 'Read later', ...fields } },
    });
    if (response.status !== 201)
      throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.{{entity}};
  }

  /** Every id of the caller's list, following `nextCursor` from the first page to the last. */
  async function walkByCursor(user: { token: string }, query: string): Promise<number[]> {
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await api.get(`${PATH}?${query}${suffix}`, { token: user.token });
      expect(response.status).toBe(200);
      ids.push(...response.body.{{entities}}.map((item: any) => item.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    return ids;
  }

  describe('POST /api/{{kebabs}}', () => {
    it('creates a {{label}} owned by the caller and returns it with 201', async () => {
      const response = await api.post(PATH, {
        token: owner.token,
        body: { {{entity}}: { title: '  Trimmed title  ', body: 'Some text' } },
      });

      expect(response.status).toBe(201);
      expect(Object.keys(response.body)).toEqual(['{{entity}}']);
      const created = response.body.{{entity}};
      expect(Object.keys(created).sort()).toEqual(['body', 'createdAt', 'id', 'title', 'updatedAt']);
      expect(created).toMatchObject({ title: 'Trimmed title', body: 'Some text' });
      expect(created.id).toEqual(expect.any(Number));
      expect(created.createdAt).toMatch(ISO_TIMESTAMP);
      expect((await rows().findOneByOrFail({ id: created.id })).ownerId).toBe(owner.id);
    });

    it('stores no body unless one is sent', async () => {
      expect((await create{{Entity}}(owner)).body).toBeNull();
    });

    it.each([
      ['a missing title', { {{entity}}: { body: 'x' } }, 'title'],
      ['a blank title', { {{entity}}: { title: '   ' } }, 'title'],
      ['a title that is too long', { {{entity}}: { title: 'x'.repeat(256) } }, 'title'],
      ['a numeric title', { {{entity}}: { title: 12 } }, 'title'],
      ['a title with a NUL character', { {{entity}}: { title: 'a\u0000b' } }, 'title'],
      ['a body that is not text', { {{entity}}: { title: 'ok', body: ['x'] } }, 'body'],
      ['an owner chosen by the client', { {{entity}}: { title: 'ok', ownerId: 1 } }, 'ownerId'],
      ['no wrapper object', { title: 'ok' }, '{{entity}}'],
      ['a wrapper that is an array', { {{entity}}: [] }, '{{entity}}'],
    ])('returns 422 and writes nothing for %s', async (_label, body, field) => {
      const before = await countRows();
      const response = await api.post(PATH, { token: owner.token, body });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toContain(field);
      expect(await countRows()).toBe(before);
    });

    it('returns 401 and writes nothing when the caller is anonymous', async () => {
      const before = await countRows();
      const response = await api.post(PATH, { body: { {{entity}}: { title: 'Anonymous' } } });
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
      expect(await countRows()).toBe(before);
    });
  });

  describe('GET /api/{{kebabs}}', () => {
    it("lists only the caller's own {{labels}}, newest first", async () => {
      const reader = await registerUser(api, 'reader');
      const first = await create{{Entity}}(reader, { title: 'First' });
      await create{{Entity}}(intruder, { title: 'Not yours' });
      const second = await create{{Entity}}(reader, { title: 'Second' });

      const response = await api.get(PATH, { token: reader.token });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        {{entities}}: [second, first],
        {{entities}}Count: 2,
        nextCursor: null,
      });
    });

    it('pages by offset and by cursor through every {{label}} exactly once', async () => {
      const pager = await registerUser(api, 'pager');
      const created: number[] = [];
      for (let index = 0; index < 5; index++) {
        created.push((await create{{Entity}}(pager, { title: `Item ${index}` })).id);
      }
      const newestFirst = [...created].reverse();

      const offsetPage = await api.get(`${PATH}?limit=2&offset=2`, { token: pager.token });
      expect(offsetPage.body.{{entities}}.map((item: any) => item.id)).toEqual(newestFirst.slice(2, 4));
      expect(offsetPage.body.{{entities}}Count).toBe(5);

      expect(await walkByCursor(pager, 'limit=2')).toEqual(newestFirst);
      expect(await walkByCursor(pager, 'limit=2&sort=title')).toEqual(created);
    });

    it('sorts by title and filters by a search in the title', async () => {
      const sorter = await registerUser(api, 'sorter');
      // One letter case: the two databases collate upper against lower case differently.
      const banana = await create{{Entity}}(sorter, { title: 'banana 100%' });
      const apple = await create{{Entity}}(sorter, { title: 'apple pie' });
      await create{{Entity}}(sorter, { title: 'cherry' });

      const sorted = await api.get(`${PATH}?sort=-title`, { token: sorter.token });
      expect(sorted.body.{{entities}}.map((item: any) => item.title)).toEqual([
        'cherry',
        'banana 100%',
        'apple pie',
      ]);

      const pie = await api.get(`${PATH}?search=PIE`, { token: sorter.token });
      expect(pie.body).toMatchObject({ {{entities}}: [apple], {{entities}}Count: 1 });
      // LIKE wildcards in the search text are matched literally.
      const percent = await api.get(`${PATH}?search=0%25`, { token: sorter.token });
      expect(percent.body.{{entities}}).toEqual([banana]);
    });

    it.each([
      ['a limit above the maximum', 'limit=101', 'limit'],
      ['a sort field outside the whitelist', 'sort=ownerId', 'sort'],
      ['a tampered cursor', 'cursor=abc', 'cursor'],
      ['an unknown parameter', 'ownerId=1', 'ownerId'],
    ])('returns 422 for %s', async (_label, query, field) => {
      const response = await api.get(`${PATH}?${query}`, { token: owner.token });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toContain(field);
    });

    it('returns 401 when the caller is anonymous', async () => {
      expectErrorEnvelope(await api.get(PATH), 401, 'UNAUTHORIZED');
    });
  });

  describe('GET /api/{{kebabs}}/:id', () => {
    it('returns the {{label}} to its owner', async () => {
      const created = await create{{Entity}}(owner, { body: 'Details' });
      const response = await api.get(`${PATH}/${created.id}`, { token: owner.token });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ {{entity}}: created });
    });

    it("returns 403 when a user reads another user's {{label}}", async () => {
      const created = await create{{Entity}}(owner);
      const response = await api.get(`${PATH}/${created.id}`, { token: intruder.token });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
    });

    it('returns 401 when the caller is anonymous', async () => {
      const created = await create{{Entity}}(owner);
      expectErrorEnvelope(await api.get(`${PATH}/${created.id}`), 401, 'UNAUTHORIZED');
    });

    it.each([
      ['an unknown id', '999999'],
      ['a non-numeric id', 'abc'],
      ['a huge id', '99999999999999999999999'],
      ['a negative id', '-1'],
    ])('returns 404 for %s', async (_label, id) => {
      const response = await api.get(`${PATH}/${id}`, { token: owner.token });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });
  });

  describe('PUT /api/{{kebabs}}/:id', () => {
    it('changes only the fields sent, and updatedAt', async () => {
      const created = await create{{Entity}}(owner, { title: 'Before', body: 'Kept?' });
      await new Promise((resolve) => setTimeout(resolve, 5));

      const renamed = await api.put(`${PATH}/${created.id}`, {
        token: owner.token,
        body: { {{entity}}: { title: 'After' } },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.{{entity}}).toMatchObject({ id: created.id, title: 'After', body: 'Kept?' });
      expect(Date.parse(renamed.body.{{entity}}.updatedAt)).toBeGreaterThan(
        Date.parse(created.updatedAt),
      );

      const cleared = await api.put(`${PATH}/${created.id}`, {
        token: owner.token,
        body: { {{entity}}: { body: null } },
      });
      expect(cleared.body.{{entity}}).toMatchObject({ title: 'After', body: null });
      const reread = await api.get(`${PATH}/${created.id}`, { token: owner.token });
      expect(reread.body.{{entity}}).toEqual(cleared.body.{{entity}});
    });

    it("returns 403 and changes nothing when a user updates another user's {{label}}", async () => {
      const created = await create{{Entity}}(owner, { title: 'Mine' });
      const response = await api.put(`${PATH}/${created.id}`, {
        token: intruder.token,
        body: { {{entity}}: { title: 'Taken over' } },
      });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      const reread = await api.get(`${PATH}/${created.id}`, { token: owner.token });
      expect(reread.body.{{entity}}.title).toBe('Mine');
    });

    it.each([
      ['a blank title', { title: ' ' }, 'title'],
      ['a null title', { title: null }, 'title'],
      ['an unknown field', { ownerId: 1 }, 'ownerId'],
    ])('returns 422 and changes nothing for %s', async (_label, fields, field) => {
      const created = await create{{Entity}}(owner, { title: 'Unchanged' });
      const response = await api.put(`${PATH}/${created.id}`, {
        token: owner.token,
        body: { {{entity}}: fields },
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toContain(field);
      const reread = await api.get(`${PATH}/${created.id}`, { token: owner.token });
      expect(reread.body.{{entity}}.title).toBe('Unchanged');
    });

    it('returns 404 for an unknown id and 401 for an anonymous caller', async () => {
      const body = { {{entity}}: { title: 'x' } };
      expectErrorEnvelope(
        await api.put(`${PATH}/999999`, { token: owner.token, body }),
        404,
        'NOT_FOUND',
      );
      const created = await create{{Entity}}(owner);
      expectErrorEnvelope(await api.put(`${PATH}/${created.id}`, { body }), 401, 'UNAUTHORIZED');
    });
  });

  describe('DELETE /api/{{kebabs}}/:id', () => {
    it('deletes the {{label}} for its owner: 204 with no body, then 404', async () => {
      const created = await create{{Entity}}(owner);
      const response = await api.delete(`${PATH}/${created.id}`, { token: owner.token });
      expect(response.status).toBe(204);
      expect(response.body).toBeNull();
      const again = await api.delete(`${PATH}/${created.id}`, { token: owner.token });
      expectErrorEnvelope(again, 404, 'NOT_FOUND');
    });

    it("returns 403 and keeps the {{label}} when a user deletes another user's", async () => {
      const created = await create{{Entity}}(owner);
      const response = await api.delete(`${PATH}/${created.id}`, { token: intruder.token });
      expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect((await api.get(`${PATH}/${created.id}`, { token: owner.token })).status).toBe(200);
    });

    it('returns 401 and keeps the {{label}} when the caller is anonymous', async () => {
      const created = await create{{Entity}}(owner);
      expectErrorEnvelope(await api.delete(`${PATH}/${created.id}`), 401, 'UNAUTHORIZED');
      expect((await api.get(`${PATH}/${created.id}`, { token: owner.token })).status).toBe(200);
    });
  });

  it("deletes a user's {{labels}} together with the user", async () => {
    const leaving = await registerUser(api, 'leaving');
    await create{{Entity}}(leaving);
    const rowsOf = () => rows().countBy({ ownerId: leaving.id });
    expect(await rowsOf()).toBe(1);
    await testApp.dataSource
      .createQueryBuilder()
      .delete()
      .from('users')
      .where('id = :id', { id: leaving.id })
      .execute();
    expect(await rowsOf()).toBe(0);
  });

  it('has a migration that creates exactly what the entity describes (no schema drift)', async () => {
    const pending = await testApp.dataSource.driver.createSchemaBuilder().log();
    const ours = pending.upQueries
      .map((query) => query.query)
      .filter((sql) => sql.includes('{{table}}'));
    expect(ours).toEqual([]);
  });
});
