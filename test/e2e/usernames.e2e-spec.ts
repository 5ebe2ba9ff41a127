import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CaseInsensitiveUsernames1765400000001 } from '../../src/database/migrations/1765400000001-case-insensitive-usernames.js';
import { createArticle } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

const unique = (prefix: string) => `${prefix}_${randomBytes(3).toString('hex')}`;

/**
 * Issue 14 item 10: usernames are unique case-insensitively and looked up that way, dot-only
 * usernames are refused, and a username given up by a rename stays reserved for its former
 * owner for USERNAME_HOLD_SECONDS.
 */
describe('usernames', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  const register = (username: string) =>
    api.post('/api/users', {
      body: {
        user: { username, email: `${unique('e')}@example.com`, password: 'password123' },
      },
    });
  const rename = (user: RegisteredUser, username: string) =>
    api.put('/api/user', { token: user.token, body: { user: { username } } });

  describe('case-insensitive uniqueness', () => {
    it('refuses a registration whose username differs from a taken one only in case (409)', async () => {
      const name = unique('Alice');
      expect((await register(name)).status).toBe(201);
      for (const spelling of [name.toLowerCase(), name.toUpperCase()]) {
        const response = await register(spelling);
        expect(expectErrorEnvelope(response, 409, 'CONFLICT')).toEqual({
          username: ['has already been taken'],
        });
      }
    });

    it('refuses a rename to another user’s username in another case (409)', async () => {
      const owner = await registerUser(api, 'Owner');
      const other = await registerUser(api, 'other');
      const response = await rename(other, owner.username.toUpperCase());
      expectErrorEnvelope(response, 409, 'CONFLICT');
    });

    it('lets users change the case of their own username', async () => {
      const user = await registerUser(api, 'casey');
      const response = await rename(user, user.username.toUpperCase());
      expect(response.status).toBe(200);
      expect(response.body.user.username).toBe(user.username.toUpperCase());
    });

    it('finds a profile and an author’s articles by any case of the username', async () => {
      const user = await registerUser(api, 'MixedCase');
      const article = await createArticle(api, user);
      for (const spelling of [user.username.toLowerCase(), user.username.toUpperCase()]) {
        const profile = await api.get(`/api/profiles/${spelling}`);
        expect(profile.status).toBe(200);
        expect(profile.body.profile.username).toBe(user.username);
        const articles = await api.get(`/api/articles?author=${spelling}`);
        expect(articles.body.articles.map((a: { slug: string }) => a.slug)).toEqual([article.slug]);
      }
    });

    it('holds a case-insensitive unique index in the database itself', async () => {
      const user = await registerUser(api, 'indexed');
      await expect(
        testApp.dataSource.query(
          `INSERT INTO users (email, username, password_hash) VALUES ('${unique('x')}@example.com', '${user.username.toUpperCase()}', 'x')`,
        ),
      ).rejects.toThrow();
    });
  });

  describe('dot-only usernames', () => {
    it.each(['.', '..', '...'])('refuses to register %j (422)', async (username) => {
      const response = await register(username);
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED').username).toEqual([
        'cannot consist of dots only',
      ]);
    });

    it('refuses a rename to ".." and still accepts dots among other characters', async () => {
      const user = await registerUser(api, 'dotty');
      expectErrorEnvelope(await rename(user, '..'), 422, 'VALIDATION_FAILED');
      expect((await register(unique('a.b'))).status).toBe(201);
      expect((await register(unique('.hidden'))).status).toBe(201);
    });
  });

  describe('a username given up by a rename', () => {
    it('cannot be taken by anyone else, in any case, by registration or rename', async () => {
      const holder = await registerUser(api, 'Holder');
      const other = await registerUser(api, 'other');
      const old = holder.username;
      expect((await rename(holder, unique('moved'))).status).toBe(200);

      for (const spelling of [old, old.toLowerCase(), old.toUpperCase()]) {
        expect(expectErrorEnvelope(await register(spelling), 409, 'CONFLICT')).toEqual({
          username: ['has already been taken'],
        });
      }
      expectErrorEnvelope(await rename(other, old), 409, 'CONFLICT');
      // Nobody has the name now: its profile is gone.
      expect((await api.get(`/api/profiles/${old}`)).status).toBe(404);
    });

    it('can be taken back by its former owner', async () => {
      const holder = await registerUser(api, 'returner');
      const old = holder.username;
      expect((await rename(holder, unique('away'))).status).toBe(200);
      const back = await rename(holder, old);
      expect(back.status).toBe(200);
      expect(back.body.user.username).toBe(old);
    });
  });

  describe('the migration, on existing accounts that differ only in case', () => {
    it('refuses to run, reporting every conflicting account, and runs once they are resolved', async () => {
      const { dataSource } = testApp;
      const migration = new CaseInsensitiveUsernames1765400000001();
      const runner = dataSource.createQueryRunner();
      try {
        await migration.down(runner);
        const name = unique('Twin');
        for (const spelling of [name, name.toLowerCase()]) {
          await dataSource.query(
            `INSERT INTO users (email, username, password_hash) VALUES ('${unique('t')}@example.com', '${spelling}', 'x')`,
          );
        }
        const ids = (
          await dataSource.query(
            `SELECT id FROM users WHERE LOWER(username) = '${name.toLowerCase()}' ORDER BY id`,
          )
        ).map((row: { id: number | string }) => Number(row.id));

        await expect(migration.up(runner)).rejects.toThrow(
          `${name.toLowerCase()}: id ${ids[0]} "${name}", id ${ids[1]} "${name.toLowerCase()}"`,
        );
        // Nothing was changed: the index does not exist yet.
        await dataSource.query(`UPDATE users SET username = '${name}-2' WHERE id = ${ids[1]}`);
        await migration.up(runner);
        // The index is back: the first spelling is taken in every case again.
        expectErrorEnvelope(await register(name.toUpperCase()), 409, 'CONFLICT');
      } finally {
        await runner.release();
      }
    });
  });
});

describe('usernames with a short hold (USERNAME_HOLD_SECONDS=1)', () => {
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    testApp = await startTestApp({ USERNAME_HOLD_SECONDS: '1' });
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  it('frees the old username for everyone once the hold has expired', async () => {
    const holder = await registerUser(api, 'brief');
    const old = holder.username;
    await api.put('/api/user', {
      token: holder.token,
      body: { user: { username: unique('next') } },
    });
    const body = (username: string) => ({
      body: { user: { username, email: `${unique('e')}@example.com`, password: 'password123' } },
    });
    expect((await api.post('/api/users', body(old))).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await api.post('/api/users', body(old))).status).toBe(201);
  });
});
