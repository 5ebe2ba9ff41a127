import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { loginTokens, registerUser, type RegisteredUser } from '../support/users.js';

const ADMIN = { email: 'admin@example.com', password: 'admin-password-1', username: 'chief' };
const REGISTERED = 24;

describe('GET /api/users (admin)', () => {
  let testApp: TestApp;
  let api: Api;
  let adminToken: string;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ADMIN_USERNAME: ADMIN.username,
    });
    api = new Api(testApp.baseUrl);
    adminToken = (await loginTokens(api, ADMIN.email, ADMIN.password)).token;
    const users: RegisteredUser[] = [];
    for (let index = 0; index < REGISTERED; index += 1)
      users.push(await registerUser(api, 'member'));
    user = users[0];
  });
  afterAll(() => testApp.close());

  const list = (query = '') => api.get(`/api/users${query}`, { token: adminToken });

  describe('access', () => {
    it('returns 200 to an administrator', async () => {
      expect((await list()).status).toBe(200);
    });

    it('returns 403 when a user lists users', async () => {
      const response = await api.get('/api/users', { token: user.token });
      const errors = expectErrorEnvelope(response, 403, 'FORBIDDEN');
      expect(errors.body).toEqual(['this action requires the admin role']);
    });

    it('returns 401 to an anonymous caller', async () => {
      expectErrorEnvelope(await api.get('/api/users'), 401, 'UNAUTHORIZED');
    });

    it('seeds the administrator once, with the admin role and the configured username', async () => {
      const response = await list('?role=admin');
      expect(response.body.users).toHaveLength(1);
      expect(response.body.users[0]).toMatchObject({
        email: ADMIN.email,
        username: ADMIN.username,
        role: 'admin',
      });
    });
  });

  describe('pagination', () => {
    it('returns 20 users by default with the total count', async () => {
      const response = await list();
      expect(response.body.users).toHaveLength(20);
      expect(response.body).toMatchObject({ usersCount: REGISTERED + 1, limit: 20, offset: 0 });
    });

    it('accepts limit up to 100', async () => {
      const response = await list('?limit=100');
      expect(response.status).toBe(200);
      expect(response.body.users).toHaveLength(REGISTERED + 1);
      expect(response.body.limit).toBe(100);
    });

    it.each(['101', '0', '-1', 'ten', '2.5'])(
      'returns 422 keyed by limit for limit=%s',
      async (limit) => {
        const response = await list(`?limit=${limit}`);
        expect(Object.keys(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED'))).toEqual([
          'limit',
        ]);
      },
    );

    it('skips rows with offset', async () => {
      const all = (await list('?limit=100&sort=id')).body.users.map((row: any) => row.id);
      const page = await list('?limit=5&offset=3&sort=id');
      expect(page.body.offset).toBe(3);
      expect(page.body.users.map((row: any) => row.id)).toEqual(all.slice(3, 8));
    });

    it('returns an empty page past the end', async () => {
      const response = await list('?offset=1000');
      expect(response.status).toBe(200);
      expect(response.body.users).toEqual([]);
      expect(response.body.usersCount).toBe(REGISTERED + 1);
    });

    it('returns 422 keyed by offset for a negative offset', async () => {
      const response = await list('?offset=-1');
      expect(Object.keys(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED'))).toEqual([
        'offset',
      ]);
    });
  });

  describe('sorting and filters', () => {
    it('sorts by a whitelisted field, ascending or descending', async () => {
      const ascending = (await list('?limit=100&sort=username')).body.users.map(
        (row: any) => row.username,
      );
      const descending = (await list('?limit=100&sort=-username')).body.users.map(
        (row: any) => row.username,
      );
      expect(ascending).toHaveLength(REGISTERED + 1);
      expect(ascending).toEqual([...ascending].sort());
      expect(descending).toEqual([...ascending].reverse());
    });

    it.each(['passwordHash', 'role', 'bio', 'password_hash'])(
      'returns 422 keyed by sort for the non-whitelisted field %s',
      async (field) => {
        const response = await list(`?sort=${field}`);
        expect(Object.keys(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED'))).toEqual([
          'sort',
        ]);
      },
    );

    it('filters by role', async () => {
      const users = (await list('?limit=100&role=user')).body;
      expect(users.usersCount).toBe(REGISTERED);
      expect(users.users.every((row: any) => row.role === 'user')).toBe(true);
    });

    it('returns 422 keyed by role for an unknown role', async () => {
      const response = await list('?role=superuser');
      expect(Object.keys(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED'))).toEqual([
        'role',
      ]);
    });

    it('filters by a search term in username or email', async () => {
      const response = await list(`?search=${user.username.toUpperCase()}`);
      expect(response.body.users.map((row: any) => row.username)).toEqual([user.username]);
    });

    it('treats LIKE wildcards in the search term literally', async () => {
      const response = await list('?search=%25');
      expect(response.status).toBe(200);
      expect(response.body.users).toEqual([]);
    });

    it('returns 422 for an unknown query parameter', async () => {
      const response = await list('?isAdmin=true');
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toEqual({
        isAdmin: ['is not allowed'],
      });
    });
  });

  describe('response shape', () => {
    it('never contains a password, a hash or a token', async () => {
      const response = await list('?limit=100');
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/password|hash|token|\$argon2/i);
      for (const row of response.body.users) {
        expect(Object.keys(row).sort()).toEqual(
          [
            'bio',
            'createdAt',
            'disabled',
            'email',
            'emailVerified',
            'id',
            'image',
            'role',
            'updatedAt',
            'username',
          ].sort(),
        );
      }
    });
  });
});
