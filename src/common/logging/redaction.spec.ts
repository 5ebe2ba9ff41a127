import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { REDACTED_PATHS, redactUrl } from './redaction.js';

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
