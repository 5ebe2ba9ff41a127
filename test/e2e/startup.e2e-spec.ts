import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { migrations } from '../../src/database/migrations/index.js';
import { Api } from '../support/http.js';
import {
  buildApp,
  type BuiltServer,
  removeBuild,
  runToExit,
  startBuiltServer,
  stopAllServers,
} from '../support/spawn-server.js';
import { createTestDatabase, dialect, type TestDatabase } from '../support/test-database.js';
import { registerUser } from '../support/users.js';

/**
 * Start-up behaviour of the built server (`node dist/src/main.js`), run as a child process
 * with a controlled environment: configuration errors, production secret rules, and a first
 * start with no configuration at all. Also the only place the Swagger UI is exercised, since
 * its static assets cannot be served under Jest.
 */
describe('server start-up (built output)', () => {
  const workDirs: string[] = [];
  const strongSecret = randomBytes(48).toString('base64url');

  /** A fresh, empty working directory: no .env, no data/ folder. */
  function emptyWorkDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-startup-'));
    workDirs.push(dir);
    return dir;
  }

  /** The non-empty lines of a stream. */
  function lines(text: string): string[] {
    return text.split('\n').filter((line) => line.trim() !== '');
  }

  beforeAll(() => buildApp(), 180_000);

  afterAll(async () => {
    await stopAllServers();
    await removeBuild();
    for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('refuses to start on invalid configuration', () => {
    it('exits non-zero within seconds with one stderr line naming PORT when PORT=abc', async () => {
      const result = await runToExit({ PORT: 'abc' }, emptyWorkDir());
      expect(result.code).not.toBe(0);
      expect(result.durationMs).toBeLessThan(10_000);
      expect(lines(result.stderr)).toEqual([expect.stringContaining('PORT')]);
      expect(result.stdout).toBe('');
    });

    it('requires JWT_SECRET when NODE_ENV=production', async () => {
      const result = await runToExit({ NODE_ENV: 'production', PORT: '0' }, emptyWorkDir());
      expect(result.code).not.toBe(0);
      expect(lines(result.stderr)).toEqual([expect.stringContaining('JWT_SECRET')]);
    });

    it('refuses a JWT_SECRET shorter than 32 characters in production', async () => {
      const result = await runToExit(
        { NODE_ENV: 'production', PORT: '0', JWT_SECRET: 'short' },
        emptyWorkDir(),
      );
      expect(result.code).not.toBe(0);
      expect(lines(result.stderr)).toEqual([expect.stringMatching(/JWT_SECRET.*32 characters/)]);
    });

    it.each(['change-me', 'replace-with-at-least-32-random-characters'])(
      'refuses the published example secret "%s" in production',
      async (secret) => {
        const result = await runToExit(
          { NODE_ENV: 'production', PORT: '0', JWT_SECRET: secret },
          emptyWorkDir(),
        );
        expect(result.code).not.toBe(0);
        expect(lines(result.stderr)).toEqual([expect.stringMatching(/JWT_SECRET.*default/)]);
      },
    );
  });

  describe('single sign-on configuration', () => {
    it('exits with one stderr line naming the variable for a bad issuer URL', async () => {
      const result = await runToExit(
        {
          PORT: '0',
          OIDC_PROVIDERS: 'corp',
          OIDC_CORP_ISSUER: 'not a url',
          OIDC_CORP_CLIENT_ID: 'conduit',
          OIDC_REDIRECT_URIS: 'https://app.example.com/done',
        },
        emptyWorkDir(),
      );
      expect(result.code).not.toBe(0);
      expect(lines(result.stderr)).toEqual([
        expect.stringContaining('OIDC_CORP_ISSUER must be a valid URL'),
      ]);
    });

    it('starts with an unreachable issuer, warning once, and lists the provider', async () => {
      const server = await startBuiltServer(
        {
          LOG_PRETTY: 'false',
          OIDC_PROVIDERS: 'corp',
          // Port 9 (discard) on loopback: nothing listens there, the connection is refused.
          OIDC_CORP_ISSUER: 'http://127.0.0.1:9',
          OIDC_CORP_CLIENT_ID: 'conduit',
          OIDC_REDIRECT_URIS: 'https://app.example.com/done',
        },
        { workDir: emptyWorkDir() },
      );
      try {
        const providers = await new Api(server.baseUrl).get('/api/auth/oidc/providers');
        expect(providers.body.providers).toEqual([expect.objectContaining({ id: 'corp' })]);
        await eventually(() => server.stdout().includes('discovery failed at start-up'));
        const warning = lines(server.stdout()).filter((line) =>
          line.includes('discovery failed at start-up'),
        );
        expect(warning).toHaveLength(1);
        expect(JSON.parse(warning[0])).toMatchObject({ level: 40, provider: 'corp' });
      } finally {
        await server.stop();
      }
    }, 60_000);
  });

  describe('first start with no configuration at all', () => {
    let workDir: string;
    let baseUrl: string;
    let server: BuiltServer;
    let api: Api;

    beforeAll(async () => {
      // Only PORT is given (a free one, so parallel runs do not collide); everything else,
      // including NODE_ENV and the SQLite path, takes its default relative to the working dir.
      workDir = emptyWorkDir();
      server = await startBuiltServer({}, { workDir });
      baseUrl = server.baseUrl;
      api = new Api(baseUrl);
    }, 60_000);

    afterAll(() => server?.stop());

    it('starts in development and warns that JWT_SECRET is ephemeral', async () => {
      // Development logs go through pino-pretty in a worker thread: under load a line can
      // reach stdout a little after the server already answers, so wait for it (bounded).
      await eventually(
        () =>
          server.stdout().includes('JWT_SECRET is not set') &&
          server.stdout().includes('listening on'),
      );
      expect(server.stdout()).toContain('JWT_SECRET is not set');
      expect(server.stdout()).toContain('listening on http://127.0.0.1:');
    });

    it('creates the SQLite file under data/ and applies every migration', async () => {
      const file = join(workDir, 'data', 'conduit.sqlite');
      expect(existsSync(file)).toBe(true);
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const applied = db.prepare('SELECT name FROM migrations ORDER BY id').all();
        expect(applied).toEqual(migrations.map((Migration) => ({ name: new Migration().name })));
      } finally {
        db.close();
      }
      const ready = await api.get('/api/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
    });

    it('registers a user and serves the current user with its token', async () => {
      const user = await registerUser(api, 'startup');
      const current = await api.get('/api/user', { token: user.token });
      expect(current.status).toBe(200);
      expect(current.body.user.email).toBe(user.email);
    });

    it('serves the Swagger UI at /docs', async () => {
      const response = await fetch(`${baseUrl}/docs`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      const html = await response.text();
      expect(html).toContain('swagger-ui');
      // The UI's own assets load too (they are what cannot be served under Jest).
      const bundle = await fetch(`${baseUrl}/docs/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
    });

    it('serves the OpenAPI document at /docs-json', async () => {
      const response = await api.get('/docs-json');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.body.openapi).toMatch(/^3\./);
      expect(response.body.paths).toHaveProperty(['/api/users/login']);
      expect(response.body.components.schemas).toHaveProperty('ErrorEnvelope');
    });
  });

  describe(`production start on the suite's database (${dialect})`, () => {
    let database: TestDatabase;
    let server: BuiltServer;
    let api: Api;

    beforeAll(async () => {
      database = await createTestDatabase();
      server = await startBuiltServer({
        NODE_ENV: 'production',
        JWT_SECRET: strongSecret,
        ...database.env,
      });
      const baseUrl = server.baseUrl;
      api = new Api(baseUrl);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    it('starts with a strong JWT_SECRET, logs JSON lines and no secret warning', () => {
      const output = lines(server.stdout());
      expect(output.length).toBeGreaterThan(0);
      for (const line of output) expect(() => JSON.parse(line)).not.toThrow();
      expect(server.stdout()).not.toContain('JWT_SECRET');
      expect(server.stdout()).not.toContain(strongSecret);
    });

    it('is ready and accepts a registration', async () => {
      expect((await api.get('/api/health/ready')).status).toBe(200);
      const user = await registerUser(api, 'prodstart');
      expect(user.token).toEqual(expect.any(String));
    });
  });
});

/** Polls `condition` every 50 ms for up to `timeoutMs`; resolves either way (assert after). */
async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
