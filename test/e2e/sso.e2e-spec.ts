import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { OneTimeCode } from '../../src/modules/sso/entities/one-time-code.entity.js';
import { TestBrowser } from '../support/browser.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import {
  decodeJwt,
  newSigningKey,
  signJwt,
  type TestAccount,
  TestOidcProvider,
} from '../support/oidc-provider.js';
import { freePort } from '../support/spawn-server.js';
import { dialect } from '../support/test-database.js';
import {
  startTestApp,
  startTestCluster,
  type TestApp,
  type TestCluster,
} from '../support/test-app.js';
import { login, registerUser } from '../support/users.js';

const CLIENT_REDIRECT = 'https://app.example.test/sso/done';
const OTHER_REDIRECT = 'http://127.0.0.1:5173/callback';
const UNIQUE = Date.now().toString(36);

/** A test account with a verified email, unique to this run. */
function account(name: string, extra: Partial<TestAccount> = {}): TestAccount {
  return {
    sub: `${name}-${UNIQUE}`,
    email: `${name}-${UNIQUE}@corp.test`,
    email_verified: true,
    preferred_username: name,
    ...extra,
  };
}

describe('single sign-on with OpenID Connect', () => {
  let corp: TestOidcProvider;
  let partner: TestOidcProvider;
  let testApp: TestApp;
  let api: Api;
  let warn: jest.Spied<Logger['warn']>;

  beforeAll(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn');
    corp = await TestOidcProvider.start({
      clients: [{ clientId: 'conduit', clientSecret: 'conduit-secret', redirectUris: [] }],
    });
    // A public client (PKCE only) whose ID tokens carry `sub` only: claims come from UserInfo.
    partner = await TestOidcProvider.start({
      clients: [{ clientId: 'conduit-public', redirectUris: [] }],
      claimsInIdToken: false,
    });
    testApp = await startTestApp({
      OIDC_PROVIDERS: 'corp,partner',
      OIDC_CORP_ISSUER: corp.issuer,
      OIDC_CORP_CLIENT_ID: 'conduit',
      OIDC_CORP_CLIENT_SECRET: 'conduit-secret',
      OIDC_CORP_NAME: 'Corp SSO',
      OIDC_PARTNER_ISSUER: partner.issuer,
      OIDC_PARTNER_CLIENT_ID: 'conduit-public',
      OIDC_REDIRECT_URIS: `${CLIENT_REDIRECT},${OTHER_REDIRECT}`,
    });
    api = new Api(testApp.baseUrl);
    corp.allowRedirect('conduit', `${testApp.baseUrl}/api/auth/oidc/corp/callback`);
    partner.allowRedirect('conduit-public', `${testApp.baseUrl}/api/auth/oidc/partner/callback`);
  });
  afterEach(() => {
    corp.tamperIdToken = undefined;
    warn.mockClear();
  });
  afterAll(async () => {
    warn.mockRestore();
    await testApp?.close();
    await Promise.all([corp?.stop(), partner?.stop()]);
  });

  const authorizeUrl = (provider: string, redirect = CLIENT_REDIRECT) =>
    `${testApp.baseUrl}/api/auth/oidc/${provider}/authorize?redirect_uri=${encodeURIComponent(redirect)}`;
  const isCallback = (location: string) => location.startsWith(testApp.baseUrl);

  /** Runs authorize and the provider login; returns the callback URL the provider sent. */
  async function untilCallback(
    browser: TestBrowser,
    idp: TestOidcProvider,
    who: TestAccount,
    start: string,
  ): Promise<string> {
    idp.loginAs(who);
    const first = await browser.request(start);
    expect(first.status).toBe(302);
    const atProvider = await browser.navigate(first.location!, isCallback);
    expect(atProvider.location).toContain('/callback?');
    return atProvider.location!;
  }

  /** The whole browser part; returns the callback's response (302 to the client, or an error). */
  async function signIn(
    idp: TestOidcProvider,
    who: TestAccount,
    provider = idp === corp ? 'corp' : 'partner',
    browser = new TestBrowser(),
    start = authorizeUrl(provider),
  ) {
    const callbackUrl = await untilCallback(browser, idp, who, start);
    return { callbackUrl, browser, response: await browser.request(callbackUrl) };
  }

  /** The one-time code from a callback's redirect to the client. */
  function codeFrom(response: { status: number; location: string | null; body: unknown }) {
    expect({ status: response.status, body: response.body }).toEqual({ status: 302, body: null });
    const location = new URL(response.location!);
    expect(`${location.origin}${location.pathname}`).toBe(CLIENT_REDIRECT);
    expect([...location.searchParams.keys()]).toEqual(['code']);
    return location.searchParams.get('code')!;
  }

  const exchange = (code: string) => api.post('/api/auth/oidc/exchange', { body: { code } });

  /** Full login: browser flow, then the exchange; returns the exchange's response. */
  async function ssoLogin(idp: TestOidcProvider, who: TestAccount): Promise<ApiResponse> {
    const { response } = await signIn(idp, who);
    return exchange(codeFrom(response));
  }

  const countRows = async (table: string) =>
    Number((await testApp.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  /** The audit reasons logged for failed logins since the last test. */
  const failureReasons = () =>
    warn.mock.calls
      .map(([entry]) => entry as { event?: string; reason?: string })
      .filter((entry) => entry?.event === 'sso.login_failed')
      .map((entry) => entry.reason);

  describe('providers and happy paths', () => {
    it('lists the configured providers for a login page', async () => {
      const response = await api.get('/api/auth/oidc/providers');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        providers: [
          { id: 'corp', name: 'Corp SSO', authorizeUrl: '/api/auth/oidc/corp/authorize' },
          { id: 'partner', name: 'partner', authorizeUrl: '/api/auth/oidc/partner/authorize' },
        ],
      });
    });

    it('redirects to the provider with PKCE S256, state and nonce, binding the browser', async () => {
      const response = await new TestBrowser().request(authorizeUrl('corp'));
      expect(response.status).toBe(302);
      const location = new URL(response.location!);
      expect(location.origin).toBe(corp.issuer);
      const params = Object.fromEntries(location.searchParams);
      expect(params).toMatchObject({
        client_id: 'conduit',
        response_type: 'code',
        redirect_uri: `${testApp.baseUrl}/api/auth/oidc/corp/callback`,
        scope: 'openid email profile',
        code_challenge_method: 'S256',
      });
      expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(response.headers.get('set-cookie')).toMatch(
        /^conduit_oidc=[A-Za-z0-9_-]{43}; Path=\/api\/auth\/oidc; Max-Age=600; HttpOnly; SameSite=Lax$/,
      );
    });

    it('creates a user on first login and returns the same user object as the password login', async () => {
      const alice = account('alice');
      const usersBefore = await countRows('users');
      const response = await ssoLogin(corp, alice);
      expect(response.status).toBe(200);
      expect(response.body.user).toEqual({
        email: alice.email,
        username: 'alice',
        // Created only from a provider that asserts email_verified.
        emailVerified: true,
        bio: null,
        image: null,
        token: expect.any(String),
        refreshToken: expect.any(String),
      });
      expect(await countRows('users')).toBe(usersBefore + 1);
      // The tokens are ordinary session tokens: Bearer (Swagger's Authorize) and Token work,
      // refresh rotates, logout ends the session.
      const { token, refreshToken } = response.body.user;
      expect((await api.get('/api/user', { token, scheme: 'Bearer' })).body.user.email).toBe(
        alice.email,
      );
      expect((await api.get('/api/user', { token })).status).toBe(200);
      const refreshed = await api.post('/api/auth/refresh', { body: { refreshToken } });
      expect(refreshed.status).toBe(200);
      expect(
        (await api.post('/api/auth/logout', { token: refreshed.body.user.token })).status,
      ).toBe(204);
      expect((await api.get('/api/user', { token: refreshed.body.user.token })).status).toBe(401);
    });

    it('recognises a returning user by issuer and subject (even after an email change)', async () => {
      const carol = account('carol');
      const first = await ssoLogin(corp, carol);
      const usersBefore = await countRows('users');
      const again = await ssoLogin(corp, { ...carol, email: `carol-new-${UNIQUE}@corp.test` });
      expect(again.status).toBe(200);
      expect(again.body.user.username).toBe(first.body.user.username);
      expect(again.body.user.email).toBe(carol.email);
      expect(await countRows('users')).toBe(usersBefore);
      const identities = await api.get('/api/user/identities', { token: again.body.user.token });
      expect(identities.body.identities).toEqual([
        {
          id: expect.any(Number),
          provider: 'corp',
          issuer: corp.issuer,
          subject: carol.sub,
          email: `carol-new-${UNIQUE}@corp.test`,
          createdAt: expect.any(String),
          lastLoginAt: expect.any(String),
        },
      ]);
    });

    it('derives a unique username when the preferred one is taken', async () => {
      const first = await ssoLogin(corp, account('dave', { preferred_username: 'dave.smith' }));
      const second = await ssoLogin(corp, account('dave2', { preferred_username: 'dave.smith' }));
      expect(first.body.user.username).toBe('dave.smith');
      expect(second.body.user.username).toBe('dave.smith_2');
    });

    it('serves two providers at once, one a public client with claims from UserInfo', async () => {
      const bob = account('bob');
      const atPartner = await ssoLogin(partner, bob);
      expect(atPartner.status).toBe(200);
      expect(atPartner.body.user).toMatchObject({ email: bob.email, username: 'bob' });
      const atCorp = await ssoLogin(corp, account('erin'));
      expect(atCorp.status).toBe(200);
      const identities = await api.get('/api/user/identities', {
        token: atPartner.body.user.token,
      });
      expect(identities.body.identities).toEqual([
        expect.objectContaining({ provider: 'partner', issuer: partner.issuer, subject: bob.sub }),
      ]);
    });

    it('never stores tokens in a URL: the redirect carries only the one-time code', async () => {
      const { response } = await signIn(corp, account('frank'));
      expect(response.location).not.toMatch(/token|eyJ/i);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('one-time exchange code', () => {
    it('works once: a replayed code gets 401', async () => {
      const { response } = await signIn(corp, account('gina'));
      const code = codeFrom(response);
      expect((await exchange(code)).status).toBe(200);
      const replay = await exchange(code);
      expect(expectErrorEnvelope(replay, 401, 'UNAUTHORIZED').body[0]).toBe(
        'code is invalid, expired or already used',
      );
      expect(failureReasons()).toEqual(['exchange_code_invalid']);
    });

    it('works once under concurrent use: of five parallel exchanges exactly one succeeds', async () => {
      const { response } = await signIn(corp, account('hank'));
      const code = codeFrom(response);
      const sessionsBefore = await countRows('sessions');
      const statuses = (await Promise.all(Array.from({ length: 5 }, () => exchange(code)))).map(
        (reply) => reply.status,
      );
      expect(statuses.sort()).toEqual([200, 401, 401, 401, 401]);
      expect(await countRows('sessions')).toBe(sessionsBefore + 1);
    });

    it('expires: an expired code gets 401', async () => {
      const { response } = await signIn(corp, account('ivan'));
      const code = codeFrom(response);
      await testApp.dataSource
        .getRepository(OneTimeCode)
        .update({ usedAt: IsNull() }, { expiresAt: new Date(Date.now() - 1000) });
      expectErrorEnvelope(await exchange(code), 401, 'UNAUTHORIZED');
    });

    it('rejects an unknown code and a malformed body', async () => {
      expectErrorEnvelope(await exchange('not-a-code'), 401, 'UNAUTHORIZED');
      expectErrorEnvelope(
        await api.post('/api/auth/oidc/exchange', { body: {} }),
        422,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('validation failures (clear 4xx, an audit line, never a session)', () => {
    let sessionsBefore: number;
    beforeAll(() => undefined);
    const noNewSession = async () => expect(await countRows('sessions')).toBe(sessionsBefore);

    /** Runs a login whose token response the provider tampers with; returns the callback. */
    async function tamperedLogin(tamper: (idToken: string) => string, who = account('mallory')) {
      sessionsBefore = await countRows('sessions');
      corp.tamperIdToken = tamper;
      const { response } = await signIn(corp, who);
      return { ...response, headers: response.headers };
    }
    const resign = (idToken: string, changes: Record<string, unknown>) =>
      signJwt({ ...decodeJwt(idToken), ...changes }, corp.keys[0]);

    it('rejects a replayed callback (state is single use)', async () => {
      const { callbackUrl, browser, response } = await signIn(corp, account('replay'));
      codeFrom(response);
      sessionsBefore = await countRows('sessions');
      const replay = await browser.request(callbackUrl);
      expect(expectErrorEnvelope(replay, 400, 'BAD_REQUEST').body[0]).toMatch(
        /unknown, expired or already used/,
      );
      expect(failureReasons()).toEqual(['state_unknown']);
      await noNewSession();
    });

    it('rejects a replayed authorization code injected into a fresh login', async () => {
      const first = await signIn(corp, account('inject'));
      codeFrom(first.response);
      const usedCode = new URL(first.callbackUrl).searchParams.get('code')!;
      const browser = new TestBrowser();
      const fresh = new URL(
        await untilCallback(browser, corp, account('inject'), authorizeUrl('corp')),
      );
      fresh.searchParams.set('code', usedCode);
      sessionsBefore = await countRows('sessions');
      const response = await browser.request(fresh.href);
      expect(expectErrorEnvelope(response, 401, 'UNAUTHORIZED').body[0]).toBe(
        'authorization code is invalid, expired or was already used',
      );
      expect(failureReasons()).toEqual(['token_endpoint_invalid_grant']);
      await noNewSession();
    });

    it('rejects an ID token for another audience', async () => {
      const response = await tamperedLogin((token) => resign(token, { aud: 'another-client' }));
      expect(expectErrorEnvelope(response as ApiResponse, 401, 'UNAUTHORIZED').body[0]).toMatch(
        /ID token rejected: .*"aud"/,
      );
      expect(failureReasons()).toHaveLength(1);
      await noNewSession();
    });

    it('rejects an ID token whose authorized party is another client', async () => {
      const response = await tamperedLogin((token) =>
        resign(token, { aud: ['conduit', 'another-client'], azp: 'another-client' }),
      );
      expect(expectErrorEnvelope(response as ApiResponse, 401, 'UNAUTHORIZED').body[0]).toMatch(
        /"azp"/,
      );
      await noNewSession();
    });

    it('rejects an ID token from another issuer', async () => {
      const response = await tamperedLogin((token) =>
        resign(token, { iss: 'https://evil.example.com' }),
      );
      expect(expectErrorEnvelope(response as ApiResponse, 401, 'UNAUTHORIZED').body[0]).toMatch(
        /"iss"/,
      );
      await noNewSession();
    });

    it('rejects an expired ID token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const response = await tamperedLogin((token) =>
        resign(token, { iat: now - 7200, exp: now - 3600 }),
      );
      expect(expectErrorEnvelope(response as ApiResponse, 401, 'UNAUTHORIZED').body[0]).toMatch(
        /"exp"/,
      );
      await noNewSession();
    });

    it('rejects an ID token issued in the future', async () => {
      const now = Math.floor(Date.now() / 1000);
      const response = await tamperedLogin((token) =>
        resign(token, { iat: now + 3600, exp: now + 7200 }),
      );
      expect(expectErrorEnvelope(response as ApiResponse, 401, 'UNAUTHORIZED').body[0]).toMatch(
        /"iat"/,
      );
      await noNewSession();
    });

    it('rejects a mismatched nonce', async () => {
      const response = await tamperedLogin((token) => resign(token, { nonce: 'attacker-nonce' }));
      expect(expectErrorEnvelope(response as ApiResponse, 401, 'UNAUTHORIZED').body[0]).toMatch(
        /"nonce"/,
      );
      await noNewSession();
    });

    it('rejects an ID token re-signed with a foreign key under the provider kid', async () => {
      const foreign = newSigningKey(corp.keys[0].kid);
      const response = await tamperedLogin((token) => signJwt(decodeJwt(token), foreign));
      expect(expectErrorEnvelope(response as ApiResponse, 401, 'UNAUTHORIZED').body[0]).toBe(
        'ID token signature is invalid',
      );
      expect(failureReasons()).toEqual(['id_token_signature']);
      await noNewSession();
    });

    it('rejects a token signed with an unknown kid after refetching the JWKS exactly once', async () => {
      const foreign = newSigningKey('unknown-kid');
      const before = corp.jwksRequests;
      const response = await tamperedLogin((token) => signJwt(decodeJwt(token), foreign));
      expect(expectErrorEnvelope(response as ApiResponse, 401, 'UNAUTHORIZED').body[0]).toBe(
        'ID token is signed with an unknown key (kid unknown-kid)',
      );
      expect(corp.jwksRequests).toBe(before + 1);
      await noNewSession();
    });

    it('rejects a callback whose state was altered', async () => {
      const browser = new TestBrowser();
      const callback = new URL(
        await untilCallback(browser, corp, account('state'), authorizeUrl('corp')),
      );
      callback.searchParams.set('state', 'A'.repeat(43));
      sessionsBefore = await countRows('sessions');
      expectErrorEnvelope(await browser.request(callback.href), 400, 'BAD_REQUEST');
      callback.searchParams.delete('state');
      expect(
        expectErrorEnvelope(await browser.request(callback.href), 400, 'BAD_REQUEST').body[0],
      ).toBe('state is missing');
      expect(failureReasons()).toEqual(['state_unknown', 'state_missing']);
      await noNewSession();
    });

    it('rejects a callback finished in another browser (login CSRF)', async () => {
      const callbackUrl = await untilCallback(
        new TestBrowser(),
        corp,
        account('csrf'),
        authorizeUrl('corp'),
      );
      sessionsBefore = await countRows('sessions');
      const victim = new TestBrowser();
      await victim.request(authorizeUrl('corp')); // the victim has a binding cookie of its own
      const response = await victim.request(callbackUrl);
      expect(expectErrorEnvelope(response, 400, 'BAD_REQUEST').body[0]).toBe(
        'login state was started in another browser; start again',
      );
      expect(failureReasons()).toEqual(['state_browser_mismatch']);
      await noNewSession();
    });

    it('rejects a state used at another provider', async () => {
      const browser = new TestBrowser();
      const callback = new URL(
        await untilCallback(browser, corp, account('cross'), authorizeUrl('corp')),
      );
      const elsewhere = `${testApp.baseUrl}/api/auth/oidc/partner/callback${callback.search}`;
      expectErrorEnvelope(await browser.request(elsewhere), 400, 'BAD_REQUEST');
    });

    it('answers 404 for an unknown provider', async () => {
      const browser = new TestBrowser();
      expectErrorEnvelope(await browser.request(authorizeUrl('nope')), 404, 'NOT_FOUND');
      expectErrorEnvelope(
        await browser.request(`${testApp.baseUrl}/api/auth/oidc/nope/callback?code=x&state=y`),
        404,
        'NOT_FOUND',
      );
    });

    it('answers 422 for a redirect_uri that is not on the allow-list', async () => {
      const browser = new TestBrowser();
      for (const target of ['https://evil.example.com/sso/done', `${CLIENT_REDIRECT}/../x`, 'x']) {
        const response = await browser.request(authorizeUrl('corp', target));
        expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')).toEqual({
          redirect_uri: ['is not an allowed redirect URI'],
        });
      }
      const missing = await browser.request(`${testApp.baseUrl}/api/auth/oidc/corp/authorize`);
      expectErrorEnvelope(missing, 422, 'VALIDATION_FAILED');
    });

    it('answers 401 when the provider reports an error instead of a code', async () => {
      const browser = new TestBrowser();
      const callback = new URL(
        await untilCallback(browser, corp, account('denied'), authorizeUrl('corp')),
      );
      callback.searchParams.delete('code');
      callback.searchParams.set('error', 'access_denied');
      const response = await browser.request(callback.href);
      expect(expectErrorEnvelope(response, 401, 'UNAUTHORIZED').body[0]).toBe(
        'provider returned an error (access_denied)',
      );
    });
  });

  describe('key rotation at the provider', () => {
    it('accepts tokens signed with a new key after refetching the JWKS once', async () => {
      await ssoLogin(corp, account('before-rotation')); // the current keys are cached
      const before = corp.jwksRequests;
      corp.rotateKeys();
      const response = await ssoLogin(corp, account('after-rotation'));
      expect(response.status).toBe(200);
      expect(corp.jwksRequests).toBe(before + 1);
      // The refetched set is cached: the next login fetches nothing.
      expect((await ssoLogin(corp, account('after-rotation-2'))).status).toBe(200);
      expect(corp.jwksRequests).toBe(before + 1);
    });

    it('keeps working when the old key is withdrawn', async () => {
      corp.rotateKeys({ dropOld: true });
      expect((await ssoLogin(corp, account('after-drop'))).status).toBe(200);
    });
  });

  describe('accounts and linking', () => {
    it('never links by email alone: a local account with the same email gets 409', async () => {
      const local = await registerUser(api, 'local');
      const usersBefore = await countRows('users');
      const { response } = await signIn(corp, account('twin', { email: local.email }));
      expect(expectErrorEnvelope(response, 409, 'CONFLICT').email[0]).toMatch(
        /log in to it and link this provider/,
      );
      expect(await countRows('users')).toBe(usersBefore);
      expect(failureReasons()).toEqual(['account_rejected']);
    });

    it('links after the local account proves ownership by logging in', async () => {
      const local = await registerUser(api, 'linker');
      const idpAccount = account('linker', { email: local.email });
      const link = await api.post('/api/auth/oidc/corp/link', {
        token: local.token,
        body: { redirectUri: CLIENT_REDIRECT },
      });
      expect(link.status).toBe(200);
      expect(link.body).toEqual({ authorizationUrl: expect.any(String), expiresIn: 120 });
      const { response } = await signIn(
        corp,
        idpAccount,
        'corp',
        new TestBrowser(),
        link.body.authorizationUrl,
      );
      const linked = await exchange(codeFrom(response));
      expect(linked.body.user).toMatchObject({ email: local.email, username: local.username });
      // From now on the provider login is this account; the password still works too.
      const again = await ssoLogin(corp, idpAccount);
      expect(again.body.user.username).toBe(local.username);
      expect((await login(api, local.email, local.password)).status).toBe(200);
      const identities = await api.get('/api/user/identities', { token: local.token });
      expect(identities.body.identities).toEqual([
        expect.objectContaining({ provider: 'corp', subject: idpAccount.sub }),
      ]);
    });

    it('uses a link ticket once and refuses an identity linked to someone else', async () => {
      const owner = account('owned');
      await ssoLogin(corp, owner);
      const other = await registerUser(api, 'grabber');
      const link = await api.post('/api/auth/oidc/corp/link', {
        token: other.token,
        body: { redirectUri: CLIENT_REDIRECT },
      });
      const { response } = await signIn(
        corp,
        owner,
        'corp',
        new TestBrowser(),
        link.body.authorizationUrl,
      );
      expect(expectErrorEnvelope(response, 409, 'CONFLICT').identity[0]).toBe(
        'is already linked to another account',
      );
      const reuse = await new TestBrowser().request(link.body.authorizationUrl);
      expectErrorEnvelope(reuse, 401, 'UNAUTHORIZED');
      expect(failureReasons()).toEqual(['account_rejected', 'link_token_invalid']);
    });

    it('requires recent authentication to link: a stolen old token alone is not enough', async () => {
      const holder = await registerUser(api, 'holder');
      const anHourEarlier =
        dialect === 'postgres'
          ? "created_at - INTERVAL '1 hour'"
          : "strftime('%Y-%m-%d %H:%M:%f', created_at, '-1 hour')";
      await testApp.dataSource.query(
        `UPDATE sessions SET authenticated_at = ${anHourEarlier} WHERE user_id = ${holder.id}`,
      );
      const stale = await api.post('/api/auth/oidc/corp/link', {
        token: holder.token,
        body: { redirectUri: CLIENT_REDIRECT },
      });
      expect(stale.status).toBe(403);
      expect(stale.body.code).toBe('REAUTHENTICATION_REQUIRED');
      const withPassword = await api.post('/api/auth/oidc/corp/link', {
        token: holder.token,
        body: { redirectUri: CLIENT_REDIRECT, currentPassword: holder.password },
      });
      expect(withPassword.status).toBe(200);
    });

    it('requires a login to get a link URL', async () => {
      const response = await api.post('/api/auth/oidc/corp/link', {
        body: { redirectUri: CLIENT_REDIRECT },
      });
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    });

    it('refuses to create an account from an unverified email', async () => {
      const usersBefore = await countRows('users');
      const { response } = await signIn(corp, account('unverified', { email_verified: false }));
      expect(expectErrorEnvelope(response, 403, 'FORBIDDEN').body[0]).toMatch(
        /did not assert a verified email/,
      );
      expect(await countRows('users')).toBe(usersBefore);
    });

    it('gives an OIDC-only user no usable password until they set one', async () => {
      const olga = account('olga');
      const { token } = (await ssoLogin(corp, olga)).body.user;
      for (const guess of ['', '!', 'password123']) {
        expect((await login(api, olga.email!, guess)).status).not.toBe(200);
      }
      const hash = await testApp.dataSource.query(
        `SELECT password_hash FROM users WHERE email = '${olga.email}'`,
      );
      expect(hash[0].password_hash).toMatch(/^![0-9a-f]{32}$/);
      expect(
        (await api.put('/api/user', { token, body: { user: { password: 'olga-password' } } }))
          .status,
      ).toBe(200);
      expect((await login(api, olga.email!, 'olga-password')).status).toBe(200);
    });

    it('counts as a real login for recent authentication (auth_time = the SSO login)', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { token } = (await ssoLogin(corp, account('recent'))).body.user;
      const claims = decodeJwt(token);
      expect(claims.auth_time).toBeGreaterThanOrEqual(before - 1);
      expect(claims.auth_time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
      // An email change needs recent authentication: the SSO login is enough, no password.
      const changed = await api.put('/api/user', {
        token,
        body: { user: { email: `recent-new-${UNIQUE}@example.com` } },
      });
      expect(changed.status).toBe(200);
    });

    it('unlinks an identity unless it is the last way in', async () => {
      const pat = account('pat');
      const { token } = (await ssoLogin(corp, pat)).body.user;
      const [identity] = (await api.get('/api/user/identities', { token })).body.identities;
      const last = await api.delete(`/api/user/identities/${identity.id}`, { token });
      expect(expectErrorEnvelope(last, 409, 'CONFLICT').identity[0]).toMatch(/only way into/);

      // A second identity (linked while logged in) makes the first removable.
      const link = await api.post('/api/auth/oidc/partner/link', {
        token,
        body: { redirectUri: CLIENT_REDIRECT },
      });
      const viaPartner = account('pat-partner');
      const { response } = await signIn(
        partner,
        viaPartner,
        'partner',
        new TestBrowser(),
        link.body.authorizationUrl,
      );
      codeFrom(response);
      const stranger = await registerUser(api, 'stranger');
      expectErrorEnvelope(
        await api.delete(`/api/user/identities/${identity.id}`, { token: stranger.token }),
        403,
        'FORBIDDEN',
      );
      expect((await api.delete(`/api/user/identities/${identity.id}`, { token })).status).toBe(204);
      const remaining = (await api.get('/api/user/identities', { token })).body.identities;
      expect(remaining).toEqual([expect.objectContaining({ provider: 'partner' })]);
      expect((await api.delete(`/api/user/identities/${remaining[0].id}`, { token })).status).toBe(
        409,
      );
      expectErrorEnvelope(
        await api.delete('/api/user/identities/999999', { token }),
        404,
        'NOT_FOUND',
      );

      // With a password the last identity can go.
      await api.put('/api/user', { token, body: { user: { password: 'pat-password' } } });
      expect((await api.delete(`/api/user/identities/${remaining[0].id}`, { token })).status).toBe(
        204,
      );
    });

    it('never leaves an account without a way in under concurrent unlinks', async () => {
      const quinn = account('quinn');
      const { token } = (await ssoLogin(corp, quinn)).body.user;
      // Five more identities (two providers, several subjects), then all six unlinked at once:
      // exactly one must remain.
      for (let index = 0; index < 5; index += 1) {
        const idp = index % 2 === 0 ? partner : corp;
        const link = await api.post(`/api/auth/oidc/${idp === corp ? 'corp' : 'partner'}/link`, {
          token,
          body: { redirectUri: CLIENT_REDIRECT },
        });
        const { response } = await signIn(
          idp,
          account(`quinn-${index}`),
          idp === corp ? 'corp' : 'partner',
          new TestBrowser(),
          link.body.authorizationUrl,
        );
        codeFrom(response);
      }
      const ids = (await api.get('/api/user/identities', { token })).body.identities.map(
        (identity: { id: number }) => identity.id,
      );
      expect(ids).toHaveLength(6);
      const statuses = await Promise.all(
        ids.map((id: number) => api.delete(`/api/user/identities/${id}`, { token })),
      );
      expect(statuses.map((reply) => reply.status).sort()).toEqual([204, 204, 204, 204, 204, 409]);
      expect((await api.get('/api/user/identities', { token })).body.identities).toHaveLength(1);
    });
  });
});

describe('a provider unreachable at start-up', () => {
  let testApp: TestApp;
  let idp: TestOidcProvider | undefined;
  let port: number;
  let warn: jest.Spied<Logger['warn']>;

  beforeAll(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn');
    port = await freePort();
    testApp = await startTestApp({
      OIDC_PROVIDERS: 'late',
      OIDC_LATE_ISSUER: `http://127.0.0.1:${port}`,
      OIDC_LATE_CLIENT_ID: 'conduit',
      OIDC_REDIRECT_URIS: CLIENT_REDIRECT,
    });
  });
  afterAll(async () => {
    warn.mockRestore();
    await testApp?.close();
    await idp?.stop();
  });

  it('starts with a warning, answers 503 meanwhile, and discovers the provider once it is up', async () => {
    const api = new Api(testApp.baseUrl);
    expect((await api.get('/api/auth/oidc/providers')).body.providers).toHaveLength(1);
    // The start-up discovery runs in the background: wait for its warning (bounded).
    const warned = () =>
      warn.mock.calls.some(([, message]) =>
        String(message).includes('discovery failed at start-up'),
      );
    for (let waited = 0; !warned() && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(warned()).toBe(true);
    const authorize = `${testApp.baseUrl}/api/auth/oidc/late/authorize?redirect_uri=${encodeURIComponent(CLIENT_REDIRECT)}`;
    const down = await new TestBrowser().request(authorize);
    expect(expectErrorEnvelope(down, 503, 'SERVICE_UNAVAILABLE').body[0]).toMatch(
      /OIDC provider late is unreachable/,
    );

    idp = await TestOidcProvider.start({
      port,
      clients: [
        { clientId: 'conduit', redirectUris: [`${testApp.baseUrl}/api/auth/oidc/late/callback`] },
      ],
    });
    const up = await new TestBrowser().request(authorize);
    expect(up.status).toBe(302);
    expect(up.location).toMatch(new RegExp(`^${idp.issuer}/`));
  });

  it('answers 503 when the provider goes away between the login and the callback', async () => {
    const browser = new TestBrowser();
    idp!.loginAs({ sub: 'gone', email: 'gone@corp.test', email_verified: true });
    const start = await browser.request(
      `${testApp.baseUrl}/api/auth/oidc/late/authorize?redirect_uri=${encodeURIComponent(CLIENT_REDIRECT)}`,
    );
    const atProvider = await browser.navigate(start.location!, (location) =>
      location.startsWith(testApp.baseUrl),
    );
    await idp!.stop();
    idp = undefined;
    const response = await browser.request(atProvider.location!);
    expect(expectErrorEnvelope(response, 503, 'SERVICE_UNAVAILABLE').body[0]).toMatch(
      /provider could not be reached/,
    );
    expect(
      warn.mock.calls.some(
        ([entry]) => (entry as { reason?: string })?.reason === 'provider_unreachable',
      ),
    ).toBe(true);
  });
});

describe('several instances behave as one', () => {
  let idp: TestOidcProvider;
  let cluster: TestCluster;

  beforeAll(async () => {
    idp = await TestOidcProvider.start({
      clients: [{ clientId: 'conduit', clientSecret: 'conduit-secret', redirectUris: [] }],
    });
    cluster = await startTestCluster(2, {
      OIDC_PROVIDERS: 'corp',
      OIDC_CORP_ISSUER: idp.issuer,
      OIDC_CORP_CLIENT_ID: 'conduit',
      OIDC_CORP_CLIENT_SECRET: 'conduit-secret',
      OIDC_REDIRECT_URIS: CLIENT_REDIRECT,
    });
    idp.allowRedirect('conduit', `${cluster.apps[0].baseUrl}/api/auth/oidc/corp/callback`);
  });
  afterAll(async () => {
    await cluster?.close();
    await idp?.stop();
  });

  it('finishes on one instance a login started on another; the code works once across instances', async () => {
    const [first, second] = cluster.apps;
    const browser = new TestBrowser();
    idp.loginAs(account('roamer'));
    const start = await browser.request(
      `${first.baseUrl}/api/auth/oidc/corp/authorize?redirect_uri=${encodeURIComponent(CLIENT_REDIRECT)}`,
    );
    const atProvider = await browser.navigate(start.location!, (location) =>
      location.startsWith(first.baseUrl),
    );
    // The load balancer sends the callback to the other instance.
    const callback = new URL(atProvider.location!);
    const elsewhere = `${second.baseUrl}${callback.pathname}${callback.search}`;
    browser.shareCookies(new URL(first.baseUrl).host, new URL(second.baseUrl).host);
    const response = await browser.request(elsewhere);
    expect(response.status).toBe(302);
    const code = new URL(response.location!).searchParams.get('code')!;
    const exchanged = await new Api(first.baseUrl).post('/api/auth/oidc/exchange', {
      body: { code },
    });
    expect(exchanged.status).toBe(200);
    expect(
      (await new Api(second.baseUrl).post('/api/auth/oidc/exchange', { body: { code } })).status,
    ).toBe(401);
    // And the state is spent everywhere.
    expect(
      (await browser.request(`${first.baseUrl}${callback.pathname}${callback.search}`)).status,
    ).toBe(400);
  });
});
