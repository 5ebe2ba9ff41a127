import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './app.config.js';
import { ConfigError } from './config-error.js';

const BASE = {
  OIDC_PROVIDERS: 'corp',
  OIDC_CORP_ISSUER: 'https://id.example.com/realms/corp',
  OIDC_CORP_CLIENT_ID: 'conduit',
  OIDC_REDIRECT_URIS: 'https://app.example.com/sso/done',
};

function errorOf(env: Record<string, string>): ConfigError | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
}

describe('OIDC configuration', () => {
  it('has no providers by default', () => {
    expect(loadConfig({}).oidc).toMatchObject({ providers: [], redirectUris: [] });
  });

  it('reads one provider with defaults for scopes, name and secret', () => {
    const { oidc } = loadConfig(BASE);
    expect(oidc.providers).toEqual([
      {
        id: 'corp',
        issuer: 'https://id.example.com/realms/corp',
        clientId: 'conduit',
        clientSecret: undefined,
        scopes: ['openid', 'email', 'profile'],
        displayName: 'corp',
      },
    ]);
    expect(oidc.redirectUris).toEqual(['https://app.example.com/sso/done']);
    expect(oidc.codeTtlSeconds).toBe(60);
  });

  it('reads several providers, with dashes in ids mapped to underscores in variables', () => {
    const { oidc } = loadConfig({
      ...BASE,
      OIDC_PROVIDERS: 'corp, google-ws',
      OIDC_GOOGLE_WS_ISSUER: 'https://accounts.google.com',
      OIDC_GOOGLE_WS_CLIENT_ID: 'g',
      OIDC_GOOGLE_WS_CLIENT_SECRET: 's3cret',
      OIDC_GOOGLE_WS_SCOPES: 'openid email',
      OIDC_GOOGLE_WS_NAME: 'Google Workspace',
    });
    expect(oidc.providers.map((provider) => provider.id)).toEqual(['corp', 'google-ws']);
    expect(oidc.providers[1]).toMatchObject({
      clientSecret: 's3cret',
      scopes: ['openid', 'email'],
      displayName: 'Google Workspace',
    });
  });

  it.each([
    ['not a url', 'must be a valid URL, got "not a url"'],
    ['http://id.example.com', 'must use https (http only for 127.0.0.1/localhost)'],
    ['https://id.example.com/?x=1', 'must not have a query or fragment'],
  ])('rejects the issuer %j with one line naming the variable', (issuer, reason) => {
    const error = errorOf({ ...BASE, OIDC_CORP_ISSUER: issuer });
    expect(error?.variable).toBe('OIDC_CORP_ISSUER');
    expect(error?.message).toBe(`Invalid configuration: OIDC_CORP_ISSUER ${reason}`);
    expect(error?.message).not.toContain('\n');
  });

  it('accepts plain http on loopback issuers (tests, local development)', () => {
    expect(
      loadConfig({ ...BASE, OIDC_CORP_ISSUER: 'http://127.0.0.1:4000' }).oidc.providers[0].issuer,
    ).toBe('http://127.0.0.1:4000');
  });

  it.each([
    [{ OIDC_CORP_ISSUER: '' }, 'OIDC_CORP_ISSUER'],
    [{ OIDC_CORP_CLIENT_ID: '' }, 'OIDC_CORP_CLIENT_ID'],
    [{ OIDC_CORP_SCOPES: 'email profile' }, 'OIDC_CORP_SCOPES'],
    [{ OIDC_PROVIDERS: 'Corp' }, 'OIDC_PROVIDERS'],
    [{ OIDC_PROVIDERS: 'corp,corp' }, 'OIDC_PROVIDERS'],
    [{ OIDC_REDIRECT_URIS: '' }, 'OIDC_REDIRECT_URIS'],
    [{ OIDC_REDIRECT_URIS: 'https://app.example.com/#x' }, 'OIDC_REDIRECT_URIS'],
    [{ OIDC_REDIRECT_URIS: 'javascript:alert(1)' }, 'OIDC_REDIRECT_URIS'],
    [{ OIDC_PUBLIC_BASE_URL: 'ftp://x' }, 'OIDC_PUBLIC_BASE_URL'],
    [{ OIDC_CODE_TTL_SECONDS: '0' }, 'OIDC_CODE_TTL_SECONDS'],
  ])('rejects %j naming %s', (override, variable) => {
    expect(errorOf({ ...BASE, ...override })?.variable).toBe(variable);
  });
});
