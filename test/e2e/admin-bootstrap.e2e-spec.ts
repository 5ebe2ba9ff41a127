import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { User } from '../../src/modules/users/entities/user.entity.js';
import { Api } from '../support/http.js';
import { launch, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { login, loginTokens, newCredentials } from '../support/users.js';

const ADMIN = { email: 'boss@example.com', password: 'admin-password-1' };

/**
 * The ADMIN_EMAIL bootstrap across restarts: each test restarts the application on the same
 * database, as a deployment would.
 */
describe('administrator bootstrap (ADMIN_EMAIL)', () => {
  let database: TestDatabase;
  const running: TestApp[] = [];

  /** Starts an instance on the shared database; stopped in afterAll. */
  async function start(env: Record<string, string> = {}): Promise<TestApp> {
    const app = await launch({ ...database.env, ...env });
    running.push(app);
    return app;
  }

  const roleOf = async (app: TestApp, email: string) =>
    (await app.dataSource.getRepository(User).findOneBy({ email }))?.role;

  beforeAll(async () => {
    database = await createTestDatabase({ shareable: true });
  });
  afterAll(async () => {
    for (const app of running) await app.close();
    await database.drop();
  });

  it('does not make an attacker admin who registers the address the admin gave up', async () => {
    const first = await start({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    const api = new Api(first.baseUrl);
    const admin = await loginTokens(api, ADMIN.email, ADMIN.password);
    const moved = await api.put('/api/user', {
      token: admin.token,
      body: { user: { email: 'boss-new@example.com' } },
    });
    expect(moved.status).toBe(200);
    const attacker = { ...newCredentials('attacker'), email: ADMIN.email };
    expect((await api.post('/api/users', { body: { user: attacker } })).status).toBe(201);
    await first.close();

    const restarted = await start({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    expect(await roleOf(restarted, ADMIN.email)).toBe('user');
    expect(await roleOf(restarted, 'boss-new@example.com')).toBe('admin');
    const attackerToken = (
      await loginTokens(new Api(restarted.baseUrl), ADMIN.email, attacker.password)
    ).token;
    expect(
      (await new Api(restarted.baseUrl).get('/api/users', { token: attackerToken })).status,
    ).toBe(403);
    await restarted.close();
  });

  it('starts and picks a free username when ADMIN_USERNAME belongs to someone else', async () => {
    // A fresh database of its own: no administrator yet, and "admin" taken by a user.
    const own = await createTestDatabase({ shareable: true });
    try {
      const plain = await launch(own.env);
      const squatter = { ...newCredentials('squatter'), username: 'admin' };
      const api = new Api(plain.baseUrl);
      expect((await api.post('/api/users', { body: { user: squatter } })).status).toBe(201);
      await plain.close();

      const app = await launch({
        ...own.env,
        ADMIN_EMAIL: 'chief@example.com',
        ADMIN_PASSWORD: 'admin-password-1',
      });
      try {
        const created = await app.dataSource
          .getRepository(User)
          .findOneBy({ email: 'chief@example.com' });
        expect(created).toMatchObject({ role: 'admin', username: 'admin-2' });
        expect(await roleOf(app, squatter.email)).toBe('user');
        expect(
          (await login(new Api(app.baseUrl), 'chief@example.com', 'admin-password-1')).status,
        ).toBe(200);
      } finally {
        await app.close();
      }
    } finally {
      await own.drop();
    }
  });

  it('does not promote an account that holds ADMIN_EMAIL before any administrator exists', async () => {
    const own = await createTestDatabase({ shareable: true });
    try {
      const plain = await launch(own.env);
      const early = { ...newCredentials('early'), email: 'ops@example.com' };
      expect(
        (await new Api(plain.baseUrl).post('/api/users', { body: { user: early } })).status,
      ).toBe(201);
      await plain.close();

      const app = await launch({
        ...own.env,
        ADMIN_EMAIL: 'ops@example.com',
        ADMIN_PASSWORD: 'admin-password-1',
      });
      try {
        expect(await roleOf(app, 'ops@example.com')).toBe('user');
        expect(await app.dataSource.getRepository(User).countBy({ role: 'admin' })).toBe(0);
      } finally {
        await app.close();
      }
    } finally {
      await own.drop();
    }
  });

  it('keeps the administrator it created across restarts without creating another', async () => {
    const app = await start({
      ADMIN_EMAIL: 'boss-new@example.com',
      ADMIN_PASSWORD: 'x-password-2',
    });
    expect(await app.dataSource.getRepository(User).countBy({ role: 'admin' })).toBe(1);
    expect(await roleOf(app, 'boss-new@example.com')).toBe('admin');
  });
});
