import fc from 'fast-check';
import { signTestToken } from '../../support/tokens.js';
import { Known, type PoolName, type RequestPlan, requestPlan } from './generators.js';
import { listOperations, type Operation } from './openapi.js';
import { type Exchange, inspectExchange, SecretRegistry } from './oracle.js';

/**
 * Drives generated requests against a running server: every operation of its OpenAPI
 * document, in turn, as each kind of caller, with path parameters taken from real resources
 * (created in {@link FuzzRunner.setup}) or garbage. Keeps the fuzz users logged in whatever
 * the requests do to their sessions, and records every problem the oracle reports.
 */

/** Who sends a request: nobody, the fuzz user, the admin, or someone with a forged token. */
export const CALLERS = ['anonymous', 'user', 'admin', 'forged'] as const;
export type Caller = (typeof CALLERS)[number];

interface Account {
  /** The account's user id (from its first access token). */
  id?: number;
  name: string;
  email: string;
  password: string;
  username: string;
  token: string;
  refreshToken: string;
}

export interface FuzzTarget {
  baseUrl: string;
  /** The secret the server signs tokens with (must never be echoed; forges near-valid tokens). */
  jwtSecret: string;
  /** The seeded admin (ADMIN_EMAIL / ADMIN_PASSWORD of the server). */
  admin: { email: string; password: string };
  /** Single sign-on fixtures, when the server has an OpenID Provider configured. */
  sso?: {
    provider: string;
    redirectUri: string;
    /** Links an identity at the provider to the account holding `token`. */
    link(token: string): Promise<void>;
    /** One-time codes from completed provider logins (new accounts). */
    codes(count: number): Promise<string[]>;
  };
}

export interface OperationStats {
  requests: number;
  /** Total time spent answering them. */
  milliseconds: number;
  statuses: Map<number, number>;
  callers: Set<Caller>;
}

export interface Problem {
  operation: string;
  caller: Caller;
  request: string;
  status: number;
  problems: string[];
}

/** Passwords of the fuzz accounts: distinctive, so any echo or log line is unmistakable. */
export const FUZZ_PASSWORDS = {
  user: 'Fuzz-user-pw-Q7vX2m9kLw',
  other: 'Fuzz-other-pw-R4nT8b1cZp',
};

/** Requests per operation at the least: 10 as each kind of caller (main had 38 per operation). */
export const MIN_ROUNDS = 13 * CALLERS.length;

export class FuzzRunner {
  /** Generated requests actually sent by the last {@link run}. */
  sent = 0;
  readonly secrets = new SecretRegistry();
  readonly stats = new Map<string, OperationStats>();
  readonly problems: Problem[] = [];
  /** Requests sent by the harness itself (setup, re-login, replenishing fixtures). */
  harnessRequests = 0;
  relogins = 0;
  readonly operations: Operation[];
  private readonly pools: Record<PoolName, string[]> = {
    slug: [],
    username: [],
    commentId: [],
    sessionId: [],
    userId: [],
    email: [],
    password: [],
    refreshToken: [],
    tag: [],
    cursor: [],
    commentOf: [],
    provider: [],
    identityId: [],
    oidcCode: [],
    redirectUri: [],
  };
  private readonly accounts = new Map<'user' | 'admin' | 'other', Account>();

  constructor(
    private readonly target: FuzzTarget,
    document: unknown,
  ) {
    this.operations = listOperations(document);
    this.secrets.addFixed(target.jwtSecret, 'the JWT secret');
    this.secrets.addPassword(target.admin.password, "the admin's password");
    this.secrets.addPassword(FUZZ_PASSWORDS.user, "the fuzz user's password");
    this.secrets.addPassword(FUZZ_PASSWORDS.other, "the other user's password");
  }

  /** Two users and the admin logged in, articles with comments, follows and favourites. */
  async setup(): Promise<void> {
    const suffix = Math.random().toString(36).slice(2, 8);
    for (const name of ['user', 'other'] as const) {
      const credentials = {
        email: `fuzz-${name}-${suffix}@example.com`,
        username: `fuzz_${name}_${suffix}`,
        password: FUZZ_PASSWORDS[name],
      };
      const response = await this.harness('POST', '/api/users', name, { user: credentials });
      if (response.status !== 201) throw new Error(`setup: register ${name}: ${response.text}`);
      this.accounts.set(name, { name, ...credentials, token: '', refreshToken: '' });
      this.adopt(name, response.body);
    }
    const admin = {
      name: 'admin',
      ...this.target.admin,
      username: '',
      token: '',
      refreshToken: '',
    };
    this.accounts.set('admin', admin);
    await this.login('admin');
    for (const account of this.accounts.values()) {
      this.pools.email.push(account.email);
      this.pools.password.push(account.password);
      this.pools.username.push(account.username);
    }
    await this.replenish();
    await this.harness('POST', `/api/profiles/${this.account('other').username}/follow`, 'user');
    await this.harness('POST', `/api/articles/${this.pools.slug[1]}/favorite`, 'user');
    for (const name of ['user', 'other'] as const) await this.collectSessions(name);
    const sso = this.target.sso;
    if (sso) {
      this.pools.provider.push(sso.provider);
      this.pools.redirectUri.push(sso.redirectUri);
      await sso.link(this.account('user').token);
      await this.harness('GET', '/api/user/identities', 'user');
      this.pools.oidcCode.push(...(await sso.codes(3)));
    }
  }

  /**
   * Sends `count` generated requests (operations in turn, callers in turn), `seed` fixed; at
   * least {@link MIN_ROUNDS} per operation, so a growing API does not thin out each route.
   */
  async run(requested: number, seed: number): Promise<void> {
    const perOperation = Math.max(Math.ceil(requested / this.operations.length), MIN_ROUNDS);
    const count = perOperation * this.operations.length;
    this.sent = count;
    const plans = this.operations.map((operation, index) =>
      fc.sample(requestPlan(operation), { numRuns: perOperation, seed: seed + index }),
    );
    const forged = fc.sample(forgedToken(this.target.jwtSecret), { numRuns: count, seed });
    for (let sent = 0; sent < count; sent += 1) {
      const index = sent % this.operations.length;
      const round = Math.floor(sent / this.operations.length);
      const caller = CALLERS[round % CALLERS.length];
      await this.send(this.operations[index], plans[index][round], caller, forged[sent]);
    }
  }

  /** One request: resolve placeholders, send, inspect, then keep the harness state current. */
  private async send(
    operation: Operation,
    plan: RequestPlan,
    caller: Caller,
    forgedToken: string,
  ): Promise<void> {
    let path = operation.path;
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(plan.pathValues)) {
      values[name] = value instanceof Known ? encodeURIComponent(this.resolve(value)) : value;
      if (value instanceof Known && value.pool === 'commentOf') {
        [values.slug, values[name]] = this.resolve(value).split('/');
      }
    }
    for (const [name, value] of Object.entries(values)) path = path.replace(`{${name}}`, value);
    const query = new URLSearchParams(
      plan.query.map(([name, value]): [string, string] => [
        name,
        value instanceof Known ? this.resolve(value) : value,
      ]),
    ).toString();
    const url = `${path}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = {};
    let body: string | undefined;
    let passwordsSent: string[] = [];
    if (plan.body?.kind === 'json') {
      const value = this.materialize(plan.body.value);
      body = JSON.stringify(value) ?? 'null';
      headers['content-type'] = 'application/json';
      passwordsSent = distinctivePasswords(value, url);
    } else if (plan.body?.kind === 'raw') {
      body = plan.body.text;
      if (plan.body.contentType) headers['content-type'] = plan.body.contentType;
    }
    const account = caller === 'user' || caller === 'admin' ? this.account(caller) : undefined;
    const token = account?.token ?? (caller === 'forged' ? forgedToken : undefined);
    if (token) headers.authorization = `Token ${token}`;

    const started = performance.now();
    const exchange = await this.fetch(operation.method, url, headers, body);
    const elapsed = performance.now() - started;
    exchange.passwordsSent = passwordsSent;
    const problems = inspectExchange(exchange, this.secrets, caller);
    this.count(operation, caller, exchange.response.status, elapsed);
    if (problems.length > 0) {
      this.problems.push({
        operation: operation.key,
        caller,
        request: `${operation.method} ${url.slice(0, 300)} ${body?.slice(0, 300) ?? ''}`,
        status: exchange.response.status,
        problems,
      });
    }
    await this.afterResponse(operation, caller, exchange, body);
  }

  /** Harvests real values and keeps the fuzz accounts usable after what the request did. */
  private async afterResponse(
    operation: Operation,
    caller: Caller,
    exchange: Exchange,
    body: string | undefined,
  ): Promise<void> {
    const { status } = exchange.response;
    this.harvest(exchange.response.body, caller);
    if (caller !== 'user' && caller !== 'admin') return;
    const account = this.account(caller);
    if (status >= 200 && status < 300 && operation.key === 'PUT /api/user') {
      const changed = JSON.parse(body ?? '{}')?.user ?? {};
      const user = exchange.response.body.user;
      account.email = user.email;
      account.username = user.username;
      if (typeof changed.password === 'string') {
        account.password = changed.password;
        this.secrets.addPassword(changed.password, `a password set for ${caller}`);
      }
      // Kept in step, so Known('email', i) and Known('password', i) are one account.
      this.pools.email.push(account.email);
      this.pools.password.push(account.password);
    }
    if (status >= 200 && status < 300 && operation.key === 'DELETE /api/user')
      await this.reRegister(caller);
    // An admin change (role, disabled) of a fuzz account is undone at once, so the callers keep
    // their roles and at most one change is ever in force.
    if (status >= 200 && status < 300 && operation.key === 'PATCH /api/users/{id}')
      await this.restoreAccounts();
    // Deleted articles or comments are replaced; an unlinked identity needs no fixture.
    const deletedFixture =
      operation.method === 'DELETE' && !operation.path.includes('/identities/');
    if (status >= 200 && status < 300 && deletedFixture) await this.replenish();
    const mayHaveEndedSession =
      status === 401 ||
      (status < 300 && /logout|sessions\/|PUT \/api\/user$|refresh/.test(operation.key));
    if (mayHaveEndedSession) await this.ensureLoggedIn(caller);
  }

  /** The caller deleted its own account: registers it again with the same credentials. */
  private async reRegister(name: 'user' | 'admin'): Promise<void> {
    const account = this.account(name);
    if (name === 'admin') throw new Error('harness: the last admin deleted its account');
    const response = await this.harness('POST', '/api/users', undefined, {
      user: { email: account.email, username: account.username, password: account.password },
    });
    if (response.status !== 201)
      throw new Error(`harness: re-register ${name}: ${response.status} ${response.text}`);
    account.id = undefined;
    this.adopt(name, response.body);
    // Its articles, comments and identities went with it: forget them (replenish creates new
    // articles; the identity is linked again).
    for (const pool of ['slug', 'commentId', 'commentOf', 'sessionId', 'identityId'] as const)
      this.pools[pool].length = 0;
    const sso = this.target.sso;
    if (sso && name === 'user') {
      await sso.link(account.token);
      await this.harness('GET', '/api/user/identities', 'user');
    }
  }

  /** Puts the fuzz accounts back to their roles, enabled, and logs them in again if needed. */
  private async restoreAccounts(): Promise<void> {
    for (const [name, role] of [
      ['user', 'user'],
      ['other', 'user'],
      ['admin', 'admin'],
    ] as const) {
      const id = this.account(name).id;
      if (id === undefined) continue;
      await this.harness('PATCH', `/api/users/${id}`, 'admin', {
        user: { role, disabled: false },
      });
    }
    await this.ensureLoggedIn('user');
  }

  /** Re-logs `name` in when its access token no longer works. */
  private async ensureLoggedIn(name: 'user' | 'admin'): Promise<void> {
    const check = await this.harness('GET', '/api/user', name);
    if (check.status === 200) return;
    this.relogins += 1;
    await this.login(name);
    await this.collectSessions(name);
  }

  private async login(name: 'user' | 'admin' | 'other'): Promise<void> {
    const account = this.account(name);
    const response = await this.harness('POST', '/api/users/login', undefined, {
      user: { email: account.email, password: account.password },
    });
    if (response.status !== 200)
      throw new Error(`harness: cannot log ${name} in: ${response.status} ${response.text}`);
    this.adopt(name, response.body);
  }

  /** Takes a register/login answer as `name`'s current tokens. */
  private adopt(name: 'user' | 'admin' | 'other', body: any): void {
    const account = this.account(name);
    account.token = body.user.token;
    account.refreshToken = body.user.refreshToken;
    account.id ??= Number(
      JSON.parse(Buffer.from(String(body.user.token).split('.')[1], 'base64url').toString()).sub,
    );
    this.pools.userId.push(String(account.id));
    account.username = body.user.username;
    this.secrets.addIssuedTokens(body, name);
    this.pools.refreshToken.push(account.refreshToken);
  }

  /**
   * Makes sure each fuzz user owns an article with a comment of the other user. The fuzz user
   * gets a second one, so most slugs drawn are the main caller's own and owner-only operations
   * (PUT/DELETE of an article) get past authorization often enough to be judged.
   */
  private async replenish(): Promise<void> {
    const slugs: string[] = [];
    for (const name of ['user', 'other', 'user'] as const) {
      const response = await this.harness('POST', '/api/articles', name, {
        article: {
          title: `Fuzz target ${name} ${Math.random().toString(36).slice(2)}`,
          description: 'fixture',
          body: 'fixture body',
          tagList: ['fuzz', name],
        },
      });
      if (response.status !== 201 && response.status !== 200)
        throw new Error(`harness: create article: ${response.status} ${response.text}`);
      slugs.push(response.body.article.slug);
    }
    for (const [name, slug] of [
      ['other', slugs[0]],
      ['user', slugs[1]],
    ] as const) {
      const response = await this.harness('POST', `/api/articles/${slug}/comments`, name, {
        comment: { body: `comment by ${name}` },
      });
      this.pools.commentOf.push(`${slug}/${response.body.comment.id}`);
    }
  }

  private async collectSessions(name: 'user' | 'admin' | 'other'): Promise<void> {
    await this.harness('GET', '/api/auth/sessions', name);
  }

  /** A request the harness needs (not counted as fuzzing); its answer is harvested. */
  private async harness(
    method: string,
    path: string,
    as: 'user' | 'admin' | 'other' | undefined,
    json?: unknown,
  ): Promise<{ status: number; body: any; text: string }> {
    const answer = await this.harnessOnce(method, path, as, json);
    // Fuzzed requests may have ended the session (refresh-token reuse, logout, revocation).
    if (answer.status !== 401 || !as || path === '/api/user') return answer;
    this.relogins += 1;
    await this.login(as);
    return this.harnessOnce(method, path, as, json);
  }

  private async harnessOnce(
    method: string,
    path: string,
    as: 'user' | 'admin' | 'other' | undefined,
    json?: unknown,
  ) {
    this.harnessRequests += 1;
    const headers: Record<string, string> = {};
    if (json !== undefined) headers['content-type'] = 'application/json';
    const token = as ? this.accounts.get(as)?.token : undefined;
    if (token) headers.authorization = `Token ${token}`;
    const exchange = await this.fetch(
      method,
      path,
      headers,
      json === undefined ? undefined : JSON.stringify(json),
    );
    this.harvest(exchange.response.body, as ?? 'anonymous');
    return { status: exchange.response.status, body: exchange.response.body, text: exchange.text };
  }

  private async fetch(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Exchange> {
    const response = await fetch(`${this.target.baseUrl}${url}`, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const parsed = parseJson(text);
    const sent = `${method} ${url}\n${JSON.stringify(headers)}\n${body ?? ''}`;
    return {
      method,
      url,
      sent,
      text,
      response: { status: response.status, body: parsed, headers: response.headers },
    };
  }

  /** Real values from any answer: slugs, usernames, comment and session ids, tags, tokens. */
  private harvest(body: any, owner: string): void {
    if (!body || typeof body !== 'object') return;
    const add = (pool: PoolName, value: unknown) => {
      if ((typeof value === 'string' || typeof value === 'number') && value !== '') {
        const text = String(value);
        if (!this.pools[pool].includes(text)) this.pools[pool].push(text);
      }
    };
    for (const article of [body.article, ...(body.articles ?? [])]) {
      add('slug', article?.slug);
      add('username', article?.author?.username);
    }
    for (const comment of [body.comment, ...(body.comments ?? [])]) add('commentId', comment?.id);
    for (const session of body.sessions ?? []) add('sessionId', session?.id);
    for (const identity of body.identities ?? []) add('identityId', identity?.id);
    for (const user of [...(body.users ?? []), ...(body.user?.id ? [body.user] : [])])
      add('userId', user?.id);
    for (const tag of body.tags ?? []) add('tag', tag);
    add('cursor', body.nextCursor);
    add('username', body.profile?.username);
    add('username', body.user?.username);
    if (body.user?.token) {
      this.secrets.addIssuedTokens(body, owner);
      add('refreshToken', body.user.refreshToken);
    }
  }

  private resolve(placeholder: Known): string {
    const pool = this.pools[placeholder.pool];
    return pool.length === 0 ? 'none' : pool[placeholder.index % pool.length];
  }

  /** The value with every {@link Known} placeholder replaced by a real value. */
  private materialize(value: unknown): unknown {
    if (value instanceof Known) return this.resolve(value);
    if (Array.isArray(value)) return value.map((item) => this.materialize(item));
    if (value && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        Object.defineProperty(copy, key, {
          value: this.materialize((value as Record<string, unknown>)[key]),
          enumerable: true,
        });
      }
      return copy;
    }
    return value;
  }

  private account(name: 'user' | 'admin' | 'other'): Account {
    const account = this.accounts.get(name);
    if (!account) throw new Error(`harness: no account ${name}`);
    return account;
  }

  private count(operation: Operation, caller: Caller, status: number, elapsed: number): void {
    let stats = this.stats.get(operation.key);
    if (!stats) {
      stats = { requests: 0, milliseconds: 0, statuses: new Map(), callers: new Set() };
      this.stats.set(operation.key, stats);
    }
    stats.requests += 1;
    stats.milliseconds += elapsed;
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    stats.callers.add(caller);
  }

  /** One line per operation: requests and how many got each status. */
  summary(): string {
    const lines = [...this.stats.entries()].map(([key, stats]) => {
      const statuses = [...stats.statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}×${n}`)
        .join(' ');
      const average = (stats.milliseconds / stats.requests).toFixed(0);
      return `${key.padEnd(44)} ${String(stats.requests).padStart(6)} ${average.padStart(5)} ms  ${statuses}`;
    });
    return [
      `${'operation'.padEnd(44)} ${'sent'.padStart(6)} ${'avg'.padStart(8)}  statuses`,
      ...lines,
    ].join('\n');
  }
}

/** Passwords in a JSON body that appear nowhere else in the request (so an echo is a leak). */
function distinctivePasswords(value: unknown, url: string): string[] {
  const passwords: string[] = [];
  const others: string[] = [url];
  const walk = (node: unknown, key: string) => {
    if (typeof node === 'string') (key === 'password' ? passwords : others).push(node);
    else if (Array.isArray(node)) node.forEach((item) => walk(item, key));
    else if (node && typeof node === 'object')
      for (const [inner, child] of Object.entries(node)) walk(child, inner);
  };
  walk(value, '');
  return passwords.filter(
    (password) =>
      password.trim().length >= 8 &&
      new Set(password).size >= 4 &&
      !others.some((other) => other.includes(password)),
  );
}

/** Tokens an attacker would try: garbage, `alg: none`, expired, wrong key, wrong claims. */
export function forgedToken(secret: string): fc.Arbitrary<string> {
  const claims = fc.record({ sub: fc.constantFrom('1', '2', '0', 'admin'), sid: fc.uuid() });
  return fc.oneof(
    fc.constantFrom('', 'null', 'undefined', 'Bearer', 'a.b.c', 'eyJhbGciOiJub25lIn0..'),
    fc.stringMatching(/^[\x21-\x7e]{1,200}$/),
    claims.map((c) => signTestToken(c, { algorithm: 'none' })),
    claims.map((c) => signTestToken(c, { secret, expiresIn: -60 })),
    claims.map((c) => signTestToken(c, { secret: 'not-the-secret-0123456789abcdefghij' })),
    claims.map((c) => signTestToken({ ...c, typ: 'refresh' }, { secret })),
    claims.map((c) => signTestToken({ ...c, aud: 'other-api' }, { secret })),
    claims.map((c) => signTestToken({ ...c, sub: 'x' }, { secret, algorithm: 'HS512' })),
  );
}

/** The body parsed as JSON; the text itself when it is not JSON; null when empty. */
function parseJson(text: string): any {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
