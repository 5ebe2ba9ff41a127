import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestBrowser } from '../support/browser.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { TestOidcProvider } from '../support/oidc-provider.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CLIENT_REDIRECT = 'https://app.example.test/sso/done';

describe('single sign-on with OpenID Connect', () => {
  let idp: TestOidcProvider;
  let testApp: TestApp;
  let api: Api;

  beforeAll(async () => {
    idp = await TestOidcProvider.start({
      clients: [{ clientId: 'conduit', clientSecret: 'conduit-secret', redirectUris: [] }],
    });
    testApp = await startTestApp({
      OIDC_PROVIDERS: 'corp',
      OIDC_CORP_ISSUER: idp.issuer,
      OIDC_CORP_CLIENT_ID: 'conduit',
      OIDC_CORP_CLIENT_SECRET: 'conduit-secret',
      OIDC_CORP_NAME: 'Corp SSO',
      OIDC_REDIRECT_URIS: CLIENT_REDIRECT,
    });
    api = new Api(testApp.baseUrl);
    idp.allowRedirect('conduit', `${testApp.baseUrl}/api/auth/oidc/corp/callback`);
  });
  afterAll(async () => {
    await testApp?.close();
    await idp?.stop();
  });

  it('logs a new user in', async () => {
    idp.loginAs({
      sub: 'alice',
      email: 'alice@corp.test',
      email_verified: true,
      preferred_username: 'alice',
    });
    const browser = new TestBrowser();
    const end = await browser.navigate(
      `${testApp.baseUrl}/api/auth/oidc/corp/authorize?redirect_uri=${encodeURIComponent(CLIENT_REDIRECT)}`,
      (location) => location.startsWith(CLIENT_REDIRECT),
    );
    console.log(end.status, end.location, end.body);
    const code = new URL(end.location!).searchParams.get('code');
    const exchanged = await api.post('/api/auth/oidc/exchange', { body: { code } });
    console.log(exchanged.body);
    expect(exchanged.status).toBe(200);
    expectErrorEnvelope;
  });
});
