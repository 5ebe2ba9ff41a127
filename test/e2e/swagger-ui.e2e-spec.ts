import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { Api } from '../support/http.js';
import { TestOidcProvider } from '../support/oidc-provider.js';
import {
  type BuiltServer,
  freePort,
  removeBuild,
  repoRoot,
  startBuiltServer,
  stopAllServers,
} from '../support/spawn-server.js';
import { createTestDatabase, dialect, type TestDatabase } from '../support/test-database.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/** Debian's Chromium (`apt-get install chromium`); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots for a human to look at (gitignored). */
const OUTPUT_DIR = join(repoRoot, 'test-output', 'swagger-ui');

/**
 * Swagger UI in a real (headless) browser against the built server: a user logs in through
 * the "Try it out" of POST /api/users/login, authorizes with the token the page shows, and
 * calls GET /api/user. Proves the UI's assets load under the production CSP and that the
 * documented security schemes actually work from the page.
 */
describe(`Swagger UI in Chromium (${dialect})`, () => {
  let database: TestDatabase;
  let server: BuiltServer;
  let baseUrl: string;
  let user: RegisteredUser;
  let idp: TestOidcProvider;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  /** Uncaught page errors and CSP violations: Swagger UI must run without either. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // An OpenID Provider for the single-sign-on test; the server's port is chosen up front so
    // the provider can register its callback.
    const port = await freePort();
    idp = await TestOidcProvider.start({
      clients: [
        {
          clientId: 'swagger-ui-test',
          clientSecret: 'swagger-ui-test-secret',
          redirectUris: [`http://127.0.0.1:${port}/api/auth/oidc/corp/callback`],
        },
      ],
    });
    server = await startBuiltServer({
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'warn',
      PORT: String(port),
      OIDC_PROVIDERS: 'corp',
      OIDC_CORP_ISSUER: idp.issuer,
      OIDC_CORP_CLIENT_ID: 'swagger-ui-test',
      OIDC_CORP_CLIENT_SECRET: 'swagger-ui-test-secret',
      // The client app of this test is Swagger UI itself: the one-time code lands on /docs.
      OIDC_REDIRECT_URIS: `http://127.0.0.1:${port}/docs`,
      ...database.env,
    });
    baseUrl = server.baseUrl;
    user = await registerUser(new Api(baseUrl), 'swagger');

    userDataDir = mkdtempSync(join(tmpdir(), 'conduit-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      // No sandbox (containers, root); no GPU; and nothing that phones home, since the CI
      // machine has no network and Chromium stalls on background requests otherwise.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) {
        pageProblems.push(`console: ${message.text()}`);
      }
    });
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await stopAllServers();
    await idp?.stop();
    await database?.drop();
    await removeBuild();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** The operation block for `method path`, found by what the page shows, not generated ids. */
  function operation(method: string, path: string): Locator {
    return page
      .locator(`.opblock.opblock-${method}`)
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
  }

  /** Expands an operation, presses "Try it out", optionally fills the body, then "Execute". */
  async function tryItOut(block: Locator, body?: unknown): Promise<void> {
    await block.locator('.opblock-summary-control').click();
    await block.getByRole('button', { name: 'Try it out' }).click();
    if (body !== undefined) {
      await block.locator('textarea.body-param__text').fill(JSON.stringify(body));
    }
    await block.getByRole('button', { name: 'Execute' }).click();
  }

  /** "Authorize" with the Bearer scheme (Swagger UI adds the `Bearer ` prefix itself). */
  async function authorizeBearer(token: string): Promise<void> {
    await page
      .locator('.scheme-container')
      .getByRole('button', { name: /Authorize/ })
      .click();
    const bearer = page
      .locator('.modal-ux .auth-container')
      .filter({ has: page.locator('h4', { hasText: 'Bearer' }) });
    await bearer.locator('input').fill(token);
    await bearer.getByRole('button', { name: 'Apply credentials' }).click();
    await bearer.getByText('Authorized', { exact: true }).waitFor();
    await bearer.getByRole('button', { name: 'Close' }).click();
    await page.locator('.modal-ux').waitFor({ state: 'detached' });
  }

  /** Runs a scenario; on failure saves the page as `<name>-failure-<dialect>.png` and explains. */
  async function withFailureScreenshot(name: string, scenario: () => Promise<void>) {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    try {
      await scenario();
    } catch (error) {
      // The page as it was when a step failed, next to the success screenshot.
      await page
        .screenshot({ path: join(OUTPUT_DIR, `${name}-failure-${dialect}.png`), fullPage: true })
        .catch(() => undefined);
      throw new Error(
        `${(error as Error).message}\npage problems: ${JSON.stringify(pageProblems)}\n` +
          `server stderr:\n${server.stderr()}`,
        { cause: error },
      );
    }
  }

  /** The status code and body of the live response the page shows under an operation. */
  async function shownResponse(block: Locator): Promise<{ status: string; body: string }> {
    const row = block.locator('.live-responses-table tbody tr.response').first();
    await row.waitFor();
    return {
      status: (await row.locator('.response-col_status').innerText()).trim(),
      body: await row.locator('.highlight-code pre').first().innerText(),
    };
  }

  it('logs in, authorizes with the token and shows the current user (200)', async () => {
    await withFailureScreenshot('login', async () => {
      await page.goto(`${baseUrl}/docs`);
      await expect(page.locator('.information-container .title').innerText()).resolves.toContain(
        'Conduit Platform API',
      );

      // 1. POST /api/users/login through "Try it out"; the token is read from the page.
      const login = operation('post', '/api/users/login');
      await tryItOut(login, { user: { email: user.email, password: user.password } });
      const loginResponse = await shownResponse(login);
      expect(loginResponse.status).toBe('200');
      const token: string = JSON.parse(loginResponse.body).user.token;
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      // 2. "Authorize" with the Bearer scheme.
      await authorizeBearer(token);

      // 3. GET /api/user with the authorization the page now holds.
      const sentAuthorization = page
        .waitForRequest((request) => request.url() === `${baseUrl}/api/user`)
        .then((request) => request.headers()['authorization']);
      const current = operation('get', '/api/user');
      await tryItOut(current);
      expect(await sentAuthorization).toBe(`Bearer ${token}`);
      const currentResponse = await shownResponse(current);
      await current.screenshot({ path: join(OUTPUT_DIR, `current-user-${dialect}.png`) });

      expect(currentResponse.status).toBe('200');
      expect(JSON.parse(currentResponse.body).user).toMatchObject({
        username: user.username,
        email: user.email,
      });
      await expect(current.innerText()).resolves.toContain(user.username);
      expect(pageProblems).toEqual([]);
    });
  }, 90_000);

  it('signs in through the OpenID Provider, exchanges the code and authorizes with the token', async () => {
    const person = {
      sub: `swagger-${randomBytes(4).toString('hex')}`,
      email: `swagger-sso-${randomBytes(4).toString('hex')}@example.com`,
      email_verified: true,
      preferred_username: 'swagger_sso',
    };
    idp.loginAs(person);
    await withFailureScreenshot('sso', async () => {
      // 1. The real browser goes through authorize, the provider and the callback, and lands
      //    on the allowed redirect (/docs) with a one-time code: no token in any URL.
      await page.goto(
        `${baseUrl}/api/auth/oidc/corp/authorize?redirect_uri=${encodeURIComponent(`${baseUrl}/docs`)}`,
      );
      await page.waitForURL((url) => url.pathname === '/docs' && url.searchParams.has('code'));
      const landed = new URL(page.url());
      expect([...landed.searchParams.keys()]).toEqual(['code']);
      const code = landed.searchParams.get('code')!;

      // 2. POST /api/auth/oidc/exchange through "Try it out".
      const exchange = operation('post', '/api/auth/oidc/exchange');
      await tryItOut(exchange, { code });
      const exchanged = await shownResponse(exchange);
      expect(exchanged.status).toBe('200');
      const token: string = JSON.parse(exchanged.body).user.token;

      // 3. Authorize (Bearer) with it and GET /api/user.
      await authorizeBearer(token);
      const current = operation('get', '/api/user');
      await tryItOut(current);
      const currentResponse = await shownResponse(current);
      await current.screenshot({ path: join(OUTPUT_DIR, `sso-current-user-${dialect}.png`) });
      expect(currentResponse.status).toBe('200');
      expect(JSON.parse(currentResponse.body).user).toMatchObject({
        email: person.email,
        username: 'swagger_sso',
      });
      expect(pageProblems).toEqual([]);
    });
  }, 90_000);
});
