import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** Claims of a test account at the provider. */
export interface TestAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

export interface TestClient {
  clientId: string;
  /** Omitted: a public client (token endpoint auth `none`, PKCE only). */
  clientSecret?: string;
  redirectUris: string[];
}

export interface TestProviderOptions {
  clients: TestClient[];
  /** Listen on this port (e.g. one reserved earlier); a free one by default. */
  port?: number;
  /**
   * Put the profile and email claims in the ID token (default). When false the ID token
   * carries `sub` only, as the specification's default asks, and clients read UserInfo.
   */
  claimsInIdToken?: boolean;
}

/** A private signing key with its public JWK. */
export interface SigningKey {
  kid: string;
  privateJwk: JsonWebKey;
  privateKey: KeyObject;
}

/** A fresh RS256 key with a random kid. */
export function newSigningKey(kid = `k-${randomBytes(4).toString('hex')}`): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateJwk, privateKey: createPrivateKey({ key: privateJwk, format: 'jwk' }) };
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of a compact JWT (not verified). */
export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** Signs `payload` as an RS256 JWT with `key` (for tokens a test forges or re-signs). */
export function signJwt(payload: Record<string, unknown>, key: SigningKey, kid = key.kid): string {
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/**
 * A real OpenID Provider (the certified `oidc-provider` package) on a local port with its own
 * keys. Logins complete without a form: the interaction endpoint logs in the account set by
 * {@link loginAs} and consent is pre-granted. Tests may rewrite the ID token the token
 * endpoint returns ({@link tamperIdToken}) to play a forged or misbehaving response, and
 * rotate the signing keys.
 */
export class TestOidcProvider {
  /** Signing keys, the current one first (it signs new tokens). */
  keys: SigningKey[] = [newSigningKey()];
  /** Rewrites the `id_token` of successful token responses; unset → untouched. */
  tamperIdToken?: (idToken: string) => string;
  /** How many times the JWKS endpoint was fetched. */
  jwksRequests = 0;
  private readonly accounts = new Map<string, TestAccount>();
  private nextLogin?: string;
  private provider: any;
  private handler!: (req: IncomingMessage, res: ServerResponse) => void;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly options: TestProviderOptions,
  ) {}

  static async start(options: TestProviderOptions): Promise<TestOidcProvider> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const instance = new TestOidcProvider(server, `http://127.0.0.1:${port}`, options);
    instance.build();
    server.on('request', (req, res) => instance.route(req, res));
    return instance;
  }

  /** The next login at this provider authenticates `account` (registered on the way). */
  loginAs(account: TestAccount): void {
    this.accounts.set(account.sub, account);
    this.nextLogin = account.sub;
  }

  /** Registers a redirect URI for a client (e.g. the app's callback, known once it listens). */
  allowRedirect(clientId: string, redirectUri: string): void {
    const client = this.options.clients.find((candidate) => candidate.clientId === clientId);
    if (!client) throw new Error(`TestOidcProvider: unknown client ${clientId}`);
    client.redirectUris.push(redirectUri);
    this.build();
  }

  /**
   * Key rotation: a new key signs from now on; the old one stays published (as providers do
   * during a rollover) unless `dropOld`.
   */
  rotateKeys({ dropOld = false } = {}): SigningKey {
    const fresh = newSigningKey();
    this.keys = dropOld ? [fresh] : [fresh, ...this.keys];
    this.build();
    return fresh;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private build(): void {
    const claimsInIdToken = this.options.claimsInIdToken ?? true;
    const provider = new Provider(this.issuer, {
      clients: this.options.clients.map((client) => ({
        client_id: client.clientId,
        ...(client.clientSecret
          ? {
              client_secret: client.clientSecret,
              token_endpoint_auth_method: 'client_secret_basic',
            }
          : { token_endpoint_auth_method: 'none' }),
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      })),
      jwks: { keys: this.keys.map((key) => key.privateJwk) },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        Grant: 600,
        IdToken: 600,
        Interaction: 600,
        Session: 600,
      },
      features: { devInteractions: { enabled: false } },
      conformIdTokenClaims: !claimsInIdToken,
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['name', 'preferred_username'],
      },
      findAccount: (_ctx: unknown, id: string) => {
        const account = this.accounts.get(id);
        return account ? { accountId: id, claims: () => ({ ...account }) } : undefined;
      },
      // Consent is pre-granted: every login grants the requested OpenID scopes.
      loadExistingGrant: async (ctx: any) => {
        const grant = new ctx.oidc.provider.Grant({
          accountId: ctx.oidc.account.accountId,
          clientId: ctx.oidc.client.clientId,
        });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    });
    provider.use(async (ctx: any, next: () => Promise<void>) => {
      await next();
      if (ctx.path === '/token' && ctx.status === 200 && this.tamperIdToken && ctx.body?.id_token) {
        ctx.body = { ...ctx.body, id_token: this.tamperIdToken(ctx.body.id_token) };
      }
    });
    this.provider = provider;
    this.handler = provider.callback();
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    if (req.url?.startsWith('/jwks')) this.jwksRequests += 1;
    if (req.url?.startsWith('/interaction/')) {
      void this.finishInteraction(req, res);
      return;
    }
    this.handler(req, res);
  }

  private async finishInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!this.nextLogin) throw new Error('TestOidcProvider: call loginAs() before a login');
      await this.provider.interactionFinished(
        req,
        res,
        { login: { accountId: this.nextLogin } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  }
}
