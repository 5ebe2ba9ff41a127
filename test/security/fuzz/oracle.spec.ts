import { describe, expect, it } from '@jest/globals';
import { type Exchange, inspectExchange, SecretRegistry, tokenCandidates } from './oracle.js';

const REQUEST_ID = '5b0c1f3e-1d1c-4d7e-9d3a-2f6f0d5a9e11';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2ln';
const REFRESH = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE';

function exchange(status: number, body: unknown, sent = 'GET /api/tags', headers = {}): Exchange {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'GET',
    url: '/api/tags',
    sent,
    text,
    response: {
      status,
      body,
      headers: new Headers({
        'content-type': 'application/json; charset=utf-8',
        'x-request-id': REQUEST_ID,
        ...headers,
      }),
    },
  };
}

const envelope = (status: number, code: string) => ({
  errors: { body: ['nope'] },
  code,
  status,
  requestId: REQUEST_ID,
});

function registry(): SecretRegistry {
  const secrets = new SecretRegistry();
  secrets.addFixed('the-jwt-secret-0123456789', 'the JWT secret');
  secrets.addPassword('Alice-Password-123', "alice's password");
  secrets.addToken(JWT, 'other');
  secrets.addToken(REFRESH, 'other');
  return secrets;
}

describe('fuzz oracle', () => {
  it('accepts a 2xx answer and an error in the envelope', () => {
    expect(inspectExchange(exchange(200, { tags: [] }), registry(), 'user')).toEqual([]);
    expect(inspectExchange(exchange(404, envelope(404, 'NOT_FOUND')), registry(), 'user')).toEqual(
      [],
    );
  });

  it('reports any 5xx', () => {
    expect(
      inspectExchange(exchange(500, envelope(500, 'INTERNAL_ERROR')), registry(), 'user'),
    ).toEqual(['status 500']);
  });

  it.each([
    ['Fastify’s own body', { error: 'Bad Request', message: 'Client Error', statusCode: 400 }],
    ['a status differing from the envelope', envelope(422, 'VALIDATION_FAILED')],
    ['an extra property', { ...envelope(400, 'BAD_REQUEST'), stack: 'x' }],
    ['no body', ''],
  ])('reports an error answered with %s', (_case, body) => {
    const problems = inspectExchange(exchange(400, body), registry(), 'user');
    expect(problems).toEqual([expect.stringMatching(/^not the error envelope/)]);
  });

  it('reports a token of another caller, in the body or a header', () => {
    const secrets = registry();
    expect(inspectExchange(exchange(200, { token: JWT }), secrets, 'user')).toEqual([
      'echoes a token of other',
    ]);
    expect(
      inspectExchange(
        exchange(200, { ok: 1 }, 'GET', { 'x-debug': `r=${REFRESH}` }),
        secrets,
        'user',
      ),
    ).toEqual(['echoes a token of other']);
    expect(inspectExchange(exchange(200, { token: JWT }), secrets, 'other')).toEqual([]);
  });

  it('does not count a token the caller sent or was just issued as a leak', () => {
    const secrets = registry();
    expect(
      inspectExchange(exchange(200, { t: REFRESH }, `refresh ${REFRESH}`), secrets, 'user'),
    ).toEqual([]);
    expect(
      inspectExchange(
        exchange(200, { user: { token: JWT, refreshToken: REFRESH } }),
        secrets,
        'user',
      ),
    ).toEqual([]);
  });

  it('reports passwords even when the caller sent them, and the JWT secret', () => {
    const secrets = registry();
    const sent = 'POST /api/users/login {"password":"Alice-Password-123"}';
    expect(
      inspectExchange(
        exchange(
          401,
          {
            ...envelope(401, 'UNAUTHORIZED'),
            errors: { password: ['Alice-Password-123 is wrong'] },
          },
          sent,
        ),
        secrets,
        'anonymous',
      ),
    ).toEqual(["echoes alice's password"]);
    expect(
      inspectExchange(exchange(200, { debug: 'the-jwt-secret-0123456789' }), secrets, 'user'),
    ).toEqual(['echoes the JWT secret']);
    const echoed = exchange(200, { bio: 'Sent-Password-9' });
    echoed.passwordsSent = ['Sent-Password-9'];
    expect(inspectExchange(echoed, secrets, 'user')).toEqual(['echoes the password it was sent']);
  });

  it.each([
    ['a password hash', { hash: '$argon2id$v=19$m=65536,t=3,p=4$abc' }],
    ['a stack trace', { message: 'boom\n    at UsersService.find (/app/dist/src/users.js:10:5)' }],
    ['an SQL error', { message: 'duplicate key value violates unique constraint "UQ_x"' }],
    ['SQL text', { message: 'SELECT "user"."id" FROM "user" WHERE email = $1' }],
    ['an ORM error', { name: 'QueryFailedError' }],
  ])('reports %s in a response', (label, body) => {
    expect(inspectExchange(exchange(200, body), registry(), 'user')).toEqual([`echoes ${label}`]);
  });

  it('does not report SQL-looking text the client itself sent (an article about SQL)', () => {
    const text = "SELECT * FROM users WHERE name = 'x'";
    expect(
      inspectExchange(exchange(200, { body: text }, `POST ${text}`), registry(), 'user'),
    ).toEqual([]);
  });

  it('finds JWTs and 43-character refresh tokens inside longer text', () => {
    expect(tokenCandidates(`a "${JWT}" b`)).toContain(JWT);
    expect(tokenCandidates(`xx${REFRESH}yy`)).toContain(REFRESH);
  });
});
