import { stripVTControlCharacters } from 'node:util';
import { expectErrorEnvelope } from '../../support/envelope.js';
import type { ApiResponse } from '../../support/http.js';

/**
 * What every answer of the API must satisfy, whatever was sent: no 5xx, the error envelope
 * on every non-2xx, and no secret (another caller's token, a password, the JWT secret, a
 * password hash, a stack trace or SQL error) anywhere in the body or headers.
 */

/** Secrets seen during a run, with who may legitimately receive each one. */
export class SecretRegistry {
  /** Values nobody may receive unless they sent them (the JWT secret): value → label. */
  private readonly fixed = new Map<string, string>();
  /** Values nobody may ever receive, even after sending them (passwords): value → label. */
  private readonly neverEchoed = new Map<string, string>();
  /** Issued access and refresh tokens: token → owner (an identity name). */
  private readonly tokens = new Map<string, string>();
  /** Passwords set during the run (for the log check: they must not be logged either). */
  private readonly passwords = new Set<string>();

  addFixed(value: string, label: string): void {
    this.fixed.set(value, label);
  }

  /** A password of the run: never in a response (even to its sender), never in a log. */
  addPassword(password: string, label = 'a password'): void {
    this.passwords.add(password);
    this.neverEchoed.set(password, label);
  }

  addToken(token: string, owner: string): void {
    if (token && !this.tokens.has(token)) this.tokens.set(token, owner);
  }

  /** Records the `token`/`refreshToken` fields of a response body as belonging to `owner`. */
  addIssuedTokens(body: unknown, owner: string): void {
    const user = (body as { user?: Record<string, unknown> } | null)?.user;
    for (const field of ['token', 'refreshToken']) {
      if (typeof user?.[field] === 'string') this.addToken(user[field] as string, owner);
    }
  }

  get tokenCount(): number {
    return this.tokens.size;
  }

  /** Every secret value known (fixed values, passwords, tokens), for the log check. */
  all(): string[] {
    return [...this.fixed.keys(), ...this.passwords, ...this.tokens.keys()];
  }

  /** Problems for the secrets in `text` that `caller` must not see (and did not send). */
  leaksIn(text: string, caller: string, sent: string): string[] {
    const problems: string[] = [];
    for (const [value, label] of this.fixed) {
      if (text.includes(value) && !sent.includes(value)) problems.push(`echoes ${label}`);
    }
    for (const [value, label] of this.neverEchoed) {
      if (text.includes(value)) problems.push(`echoes ${label}`);
    }
    for (const candidate of tokenCandidates(text)) {
      const owner = this.tokens.get(candidate);
      if (owner !== undefined && owner !== caller && !sent.includes(candidate))
        problems.push(`echoes a token of ${owner}`);
    }
    return [...new Set(problems)];
  }
}

/** Substrings shaped like our access tokens (JWTs) or refresh tokens (43 base64url chars). */
export function tokenCandidates(text: string): string[] {
  const candidates: string[] = [...(text.match(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g) ?? [])];
  for (const run of text.match(/[\w-]{43,}/g) ?? []) {
    for (let start = 0; start + 43 <= run.length; start += 1)
      candidates.push(run.slice(start, start + 43));
  }
  return candidates;
}

/** Internals that must never reach a client unless the client sent them itself. */
export const INTERNALS: Array<[RegExp, string]> = [
  [/\$argon2(id|i|d)\$/, 'a password hash'],
  [/\bat [\w$.<>[\] ]+ \(?(file:\/\/)?\/[^\s)]+:\d+:\d+\)?/, 'a stack trace'],
  [/node_modules\//, 'a file path'],
  [/QueryFailedError|EntityNotFound|TypeORMError/, 'an ORM error'],
  [
    /SQLITE_[A-Z]+|syntax error at or near|violates \w+ constraint|duplicate key value/i,
    'an SQL error',
  ],
  [/\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b.{0,80}?\b(FROM|VALUES|SET|WHERE)\b/, 'SQL text'],
];

export interface Exchange {
  method: string;
  url: string;
  /** The request as text (URL, headers and body), to tell an echo of input from a leak. */
  sent: string;
  response: ApiResponse;
  /** The raw response body. */
  text: string;
  /** Passwords in the request body that appear nowhere else in it: never to be echoed. */
  passwordsSent?: string[];
}

/** Everything wrong with one response; empty when it is acceptable. */
export function inspectExchange(
  exchange: Exchange,
  secrets: SecretRegistry,
  caller: string,
): string[] {
  const { response } = exchange;
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`status ${response.status}`);
  // A redirect (single sign-on: to the provider, or to the client with a one-time code) has a
  // Location and no body; anything else from 300 up must be the error envelope.
  const redirect =
    (response.status === 302 || response.status === 303) &&
    response.headers.get('location') !== null &&
    !exchange.text;
  if (response.status >= 300 && response.status !== 304 && !redirect) {
    try {
      expectErrorEnvelope(response, response.status, String(response.body?.code));
    } catch (error) {
      problems.push(`not the error envelope: ${firstLine((error as Error).message)}`);
    }
  }
  const headers = [...response.headers.entries()].map(([name, value]) => `${name}: ${value}`);
  const received = `${headers.join('\n')}\n\n${exchange.text}`;
  // Tokens this response issues (register, login, refresh) belong to whoever asked for them.
  const issued =
    response.status < 300
      ? [response.body?.user?.token, response.body?.user?.refreshToken].filter(Boolean)
      : [];
  problems.push(...secrets.leaksIn(received, caller, [exchange.sent, ...issued].join('\n')));
  for (const password of exchange.passwordsSent ?? []) {
    if (received.includes(password)) problems.push('echoes the password it was sent');
  }
  for (const [pattern, label] of INTERNALS) {
    if (pattern.test(received) && !pattern.test(exchange.sent)) problems.push(`echoes ${label}`);
  }
  return problems;
}

function firstLine(message: string): string {
  // Jest's messages start with the matcher hint; the useful part follows the blank line.
  const lines = stripVTControlCharacters(message)
    .split('\n')
    .filter((line) => line.trim() && !line.includes('expect('));
  return lines.slice(0, 3).join(' | ').slice(0, 300);
}
