import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { User } from '../../src/modules/users/entities/user.entity.js';
import { Api } from '../support/http.js';
import {
  buildApp,
  removeBuild,
  startBuiltServer,
  stopAllServers,
} from '../support/spawn-server.js';
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
    // The change takes effect once the new address confirms the mailed link (docs/accounts.md);
    // the confirmation itself is tested in account-lifecycle, so it is applied directly here.
    await first.dataSource
      .getRepository(User)
      .update({ email: ADMIN.email }, { email: 'boss-new@example.com' });
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

/** The compiled server and `npm run seed` CLI apply the same rules as the in-process start-up. */
describe('administrator bootstrap by the built server and npm run seed', () => {
  let database: TestDatabase;
  let seedCli: string;
  let workDir: string;
  const early = { ...newCredentials('early'), email: 'ops@example.com' };

  beforeAll(async () => {
    seedCli = join(dirname(await buildApp()), 'cli/seed/run-seed.js');
    workDir = mkdtempSync(join(tmpdir(), 'conduit-seed-'));
    database = await createTestDatabase({ shareable: true });
    const app = await launch(database.env);
    const api = new Api(app.baseUrl);
    const squatter = { ...newCredentials('squatter'), username: 'admin' };
    for (const user of [early, squatter])
      expect((await api.post('/api/users', { body: { user } })).status).toBe(201);
    await app.close();
  }, 180_000);
  afterAll(async () => {
    await stopAllServers();
    await database.drop();
    rmSync(workDir, { recursive: true, force: true });
    await removeBuild();
  });

  /** Runs the seed with the database settings and the given administrator only. */
  const seed = (email: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        ADMIN_EMAIL: email,
        ADMIN_PASSWORD: 'admin-password-1',
        ...database.env,
      };
      execFile(process.execPath, [seedCli], { env, cwd: workDir }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  const roleOf = async (email: string) => {
    const app = await launch(database.env);
    try {
      return (await app.dataSource.getRepository(User).findOneBy({ email }))?.role;
    } finally {
      await app.close();
    }
  };

  it('does not promote an existing account and says so, exiting 0', async () => {
    const result = await seed(early.email);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'administrator bootstrap skipped: ops@example.com belongs to an account the bootstrap did not create',
    );
    expect(await roleOf(early.email)).toBe('user');
  }, 60_000);

  it('creates the first administrator under a free username when "admin" is taken', async () => {
    const result = await seed('chief@example.com');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('as "admin-2" (username "admin" is taken)');
    expect(await roleOf('chief@example.com')).toBe('admin');
    const again = await seed('other-chief@example.com');
    expect(again.stderr).toContain('an administrator already exists');
    expect(await roleOf('other-chief@example.com')).toBeUndefined();
  }, 60_000);

  it('starts the built server with "admin" taken: one warning line, no stack trace, exit 0 on SIGTERM', async () => {
    const own = await createTestDatabase({ shareable: true });
    try {
      const app = await launch(own.env);
      const squatter = { ...newCredentials('squatter'), username: 'admin' };
      await new Api(app.baseUrl).post('/api/users', { body: { user: squatter } });
      await app.close();

      const server = await startBuiltServer({
        ...own.env,
        ADMIN_EMAIL: 'chief@example.com',
        ADMIN_PASSWORD: 'admin-password-1',
        LOG_PRETTY: 'false',
      });
      const health = await new Api(server.baseUrl).get('/api/health');
      expect(health.status).toBe(200);
      await server.stop();
      expect((await server.exited).code).toBe(0);
      const output = server.stdout() + server.stderr();
      const warnings = output.split('\n').filter((line) => line.includes('admin-2'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('(username \\"admin\\" is taken)');
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      await own.drop();
    }
  }, 60_000);
});
