import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { randomBytes } from 'node:crypto';
import {
  isSecretHeaderName,
  REDACTED_PATHS,
  redactHeaders,
  redactSecrets,
  redactUrl,
} from './redaction.js';

/** Logs one object through pino with the app's redaction and returns the parsed line. */
function logLine(object: Record<string, unknown>): Record<string, any> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  logger.info(object, 'message');
  logger.flush();
  return JSON.parse(lines[0]);
}

describe('log redaction', () => {
  it('hides credentials in request headers and keeps the other headers', () => {
    const line = logLine({
      req: {
        headers: {
          authorization: 'Token eyJhbGciOi.secret.jwt',
          cookie: 'session=abc',
          'x-api-key': 'key-123',
          'user-agent': 'curl/8',
        },
      },
      res: { headers: { 'set-cookie': 'session=def' } },
    });
    expect(line.req.headers).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'user-agent': 'curl/8',
    });
    expect(line.res.headers['set-cookie']).toBe('[redacted]');
  });

  it.each(['password', 'passwordHash', 'token', 'refreshToken', 'accessToken'])(
    'hides %s at the top level and up to three levels deep',
    (field) => {
      const line = logLine({
        [field]: 'top',
        one: { [field]: 'one' },
        body: { user: { [field]: 'two' } },
        deep: { a: { b: { [field]: 'three' } } },
      });
      expect(line[field]).toBe('[redacted]');
      expect(line.one[field]).toBe('[redacted]');
      expect(line.body.user[field]).toBe('[redacted]');
      expect(line.deep.a.b[field]).toBe('[redacted]');
    },
  );

  it('leaves ordinary fields alone', () => {
    const line = logLine({ user: { email: 'jake@example.com', username: 'jake' }, requestId: 'r' });
    expect(line.user).toEqual({ email: 'jake@example.com', username: 'jake' });
    expect(line.requestId).toBe('r');
  });

  it('never writes a secret value anywhere in the line', () => {
    const secret = 'super-secret-value-42';
    const line = logLine({
      req: { headers: { authorization: `Bearer ${secret}` } },
      body: { user: { password: secret } },
      refreshToken: secret,
    });
    expect(JSON.stringify(line)).not.toContain(secret);
  });
});

describe('redactUrl', () => {
  const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

  it.each([
    ['/api/user?token=abc', '/api/user?token=[redacted]'],
    ['/api/user?access_token=abc&x=1', '/api/user?access_token=[redacted]&x=1'],
    ['/api/a?refreshToken=r&password=p', '/api/a?refreshToken=[redacted]&password=[redacted]'],
    ['/api/a?api%5Fkey=k', '/api/a?api%5Fkey=[redacted]'],
    [`/api/profiles/${JWT}`, '/api/profiles/[redacted]'],
    [`/api/articles?author=${JWT}`, '/api/articles?author=[redacted]'],
  ])('hides the credential in %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    '/api/articles?tag=dragons&limit=20&offset=0',
    '/api/articles?author=jake&favorited=jane&sort=-createdAt',
    '/api/articles/how-to-x',
    '/api/tags',
  ])('leaves %s as it is', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

/** A token issued like the app issues refresh tokens, with both cases (as all but ~1e-9 are). */
function refreshToken(): string {
  for (;;) {
    const token = randomBytes(32).toString('base64url');
    if (/[A-Z]/.test(token) && /[a-z]/.test(token)) return token;
  }
}
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const percentEncodeAll = (text: string) =>
  [...text].map((char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`).join('');

describe('redactSecrets', () => {
  it.each([
    ['a JWT', JWT],
    ['a refresh token', refreshToken()],
    ['a JWT with its dots percent-encoded', JWT.replace(/\./g, '%2E')],
    ['a JWT with every character percent-encoded', percentEncodeAll(JWT)],
    [
      'a refresh token with its dashes and underscores encoded',
      `AbCd-_${refreshToken().slice(6)}`.replace(/-/g, '%2D').replace(/_/g, '%5F'),
    ],
    ['a JWT signature alone', JWT.split('.')[2]],
  ])('cuts out %s wherever it sits in the text', (_label, secret) => {
    for (const text of [
      secret,
      `/a/${secret}/b`,
      `x=${secret}&y=1`,
      `Bearer ${secret}`,
      `"${secret}"`,
    ]) {
      const redacted = redactSecrets(text);
      expect(redacted).toContain('[redacted]');
      expect(redacted).not.toContain(secret);
    }
  });

  it('finds a JWT even double percent-encoded', () => {
    const doubled = encodeURIComponent(JWT.replace(/\./g, '%2E'));
    expect(redactSecrets(doubled)).not.toContain(JWT.split('.')[2]);
  });

  it.each([
    'how-to-train-your-dragon-in-ten-easy-steps-x',
    'curl/8.5.0',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
    '9f0c6a4e-1b2c-4d3e-8f90-123456789abc',
    'en-GB,en;q=0.9',
    'api.example.com',
  ])('leaves the ordinary value %j as it is', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactHeaders', () => {
  it.each([
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'referer',
    'x-api-key',
    'x-auth-token',
    'x-csrf-token',
    'x-session-id',
    'x-client-secret',
    'X-Amz-Security-Token',
    'www-authenticate',
    'keep-alive-key',
  ])('redacts the whole %s header', (name) => {
    expect(isSecretHeaderName(name)).toBe(true);
    expect(redactHeaders({ [name]: 'some value' })).toEqual({ [name]: '[redacted]' });
  });

  it('cuts token-shaped values out of allow-listed headers (lists joined) and hides the rest', () => {
    const token = refreshToken();
    const logged = redactHeaders({
      'x-forwarded-for': `1.2.3.4, ${JWT}`,
      'user-agent': [`a ${token}`, 'b'],
      'content-length': '12',
      'x-trace': 'not on the allow-list',
    });
    expect(logged).toEqual({
      'x-forwarded-for': '1.2.3.4, [redacted]',
      'user-agent': 'a [redacted], b',
      'content-length': '12',
      'x-trace': '[redacted]',
    });
  });

  it('leaves the request’s own headers untouched', () => {
    const headers = { authorization: 'Token x' };
    redactHeaders(headers);
    expect(headers.authorization).toBe('Token x');
  });
});

describe('redactUrl, tokens in any place and encoding', () => {
  it.each([
    ['a refresh token in the path', () => `/api/profiles/${refreshToken()}`],
    ['a refresh token in an innocent parameter', () => `/api/articles?tag=${refreshToken()}`],
    ['a percent-encoded JWT in the path', () => `/api/profiles/${JWT.replace(/\./g, '%2E')}`],
    ['a fully encoded JWT in a parameter', () => `/api/articles?q=${percentEncodeAll(JWT)}`],
  ])('hides %s', (_label, make) => {
    const url = make();
    const redacted = redactUrl(url);
    expect(redacted).toContain('[redacted]');
    expect(redacted).not.toContain(
      url
        .slice(url.lastIndexOf('/') + 1)
        .split('=')
        .at(-1),
    );
  });
});
