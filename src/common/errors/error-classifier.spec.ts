import { describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { EntityNotFoundError, QueryFailedError, TypeORMError } from 'typeorm';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from './domain-errors.js';
import { classifyError } from './error-classifier.js';

const GENERIC = 'an unexpected error occurred; quote the request id when reporting it';
const UNAVAILABLE = 'the service is temporarily unavailable, try again shortly';

const queryFailure = (driverError: Record<string, unknown>) =>
  new QueryFailedError('INSERT INTO users …', [], Object.assign(new Error(), driverError));

describe('classifyError', () => {
  describe('domain errors', () => {
    it.each([
      [
        new NotFoundError('article', 'how-to'),
        404,
        'NOT_FOUND',
        { body: ['article "how-to" not found'] },
      ],
      [new ConflictError('email'), 409, 'CONFLICT', { email: ['has already been taken'] }],
      [
        new ForbiddenError(),
        403,
        'FORBIDDEN',
        { body: ['you are not allowed to perform this action'] },
      ],
      [new UnauthorizedError(), 401, 'UNAUTHORIZED', { body: ['authentication required'] }],
      [
        ValidationError.of('limit', 'is too big'),
        422,
        'VALIDATION_FAILED',
        { limit: ['is too big'] },
      ],
    ])('maps %p to %i %s', (error, status, code, errors) => {
      expect(classifyError(error)).toEqual({
        status,
        code,
        errors,
        unexpected: false,
        headers: undefined,
      });
    });

    it('adds Retry-After to a rate-limit error', () => {
      expect(classifyError(new RateLimitedError(42))).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        headers: { 'retry-after': '42' },
      });
    });
  });

  describe('HTTP exceptions', () => {
    it('marks an unknown route as ROUTE_NOT_FOUND and names it', () => {
      expect(classifyError(new NotFoundException('Cannot GET /api/nope'))).toMatchObject({
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        errors: { body: ['route GET /api/nope does not exist'] },
      });
    });

    it('keeps the message of an ordinary 4xx exception', () => {
      expect(classifyError(new ForbiddenException('not yours'))).toMatchObject({
        status: 403,
        code: 'FORBIDDEN',
        errors: { body: ['not yours'] },
        unexpected: false,
      });
    });

    it('joins an array of messages', () => {
      expect(classifyError(new BadRequestException(['a is bad', 'b is bad'])).errors).toEqual({
        body: ['a is bad, b is bad'],
      });
    });

    it('falls back to BAD_REQUEST for a 4xx status without its own code', () => {
      expect(classifyError(new HttpException('teapot', 418))).toMatchObject({
        status: 418,
        code: 'BAD_REQUEST',
      });
    });

    it('hides the message of a 500 exception and flags it unexpected', () => {
      expect(classifyError(new InternalServerErrorException('secret detail'))).toEqual({
        status: 500,
        code: 'INTERNAL_ERROR',
        errors: { body: [GENERIC] },
        unexpected: true,
      });
    });

    it('maps a 503 (the readiness probe failing) to SERVICE_UNAVAILABLE with Retry-After', () => {
      expect(classifyError(new ServiceUnavailableException({ database: 'down' }))).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        errors: { body: [UNAVAILABLE] },
        unexpected: false,
        headers: { 'retry-after': '5' },
      });
    });

    it('uses the Fastify error wrapped as the cause', () => {
      const cause = Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
      expect(classifyError(new PayloadTooLargeException('x', { cause }))).toMatchObject({
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      });
    });
  });

  describe('Fastify errors', () => {
    it.each([
      ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE'],
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'BAD_REQUEST'],
      ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'MALFORMED_JSON'],
      ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'MALFORMED_JSON'],
    ])('maps %s to %i %s', (fastifyCode, status, code) => {
      const error = Object.assign(new Error('x'), { code: fastifyCode, statusCode: status });
      expect(classifyError(error)).toMatchObject({ status, code, unexpected: false });
    });

    it('maps a JSON SyntaxError carrying a 400 status to MALFORMED_JSON', () => {
      const error = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 });
      expect(classifyError(error)).toEqual({
        status: 400,
        code: 'MALFORMED_JSON',
        errors: { body: ['request body is not valid JSON'] },
        unexpected: false,
      });
    });
  });

  describe('database errors', () => {
    it.each([
      [
        'PostgreSQL',
        { code: '23505', detail: 'Key (username)=(jake) already exists.' },
        'username',
      ],
      [
        'PostgreSQL (snake_case column)',
        { code: '23505', detail: 'Key (user_name, x)=(a, b) already exists.' },
        'userName',
      ],
      [
        'SQLite',
        { code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: users.email' },
        'email',
      ],
      [
        'PostgreSQL case-insensitive username index',
        {
          code: '23505',
          constraint: 'idx_users_username_lower',
          detail: 'Key (lower(username::text))=(jake) already exists.',
        },
        'username',
      ],
      [
        'SQLite case-insensitive username index',
        {
          code: 'SQLITE_CONSTRAINT_UNIQUE',
          message: "UNIQUE constraint failed: index 'idx_users_username_lower'",
        },
        'username',
      ],
      ['an unparseable message', { code: '23505', message: 'duplicate' }, 'body'],
    ])('maps a %s unique violation to 409 keyed by the column', (_label, driverError, field) => {
      expect(classifyError(queryFailure(driverError))).toEqual({
        status: 409,
        code: 'CONFLICT',
        errors: { [field]: ['has already been taken'] },
        unexpected: false,
      });
    });

    it.each([{ code: '22021' }, { code: '22P05' }])(
      'maps text PostgreSQL cannot store (%p) to 422 instead of 500',
      (driverError) => {
        expect(classifyError(queryFailure(driverError))).toMatchObject({
          status: 422,
          code: 'VALIDATION_FAILED',
          unexpected: false,
        });
      },
    );

    it('maps a write referencing a vanished parent (PostgreSQL says so) to 404', () => {
      const error = queryFailure({
        code: '23503',
        detail: 'Key (article_id)=(5) is not present in table "articles".',
      });
      expect(classifyError(error)).toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
        unexpected: false,
      });
    });

    it('maps a row that vanished before it could be read back (EntityNotFoundError) to 404', () => {
      expect(classifyError(new EntityNotFoundError('Article', { id: 5 }))).toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
        unexpected: false,
      });
    });

    it.each([
      { code: '23503', detail: 'Key (id)=(5) is still referenced from table "comments".' },
      { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' },
    ])('maps another foreign-key violation (%p) to 409', (driverError) => {
      expect(classifyError(queryFailure(driverError))).toMatchObject({
        status: 409,
        errors: { body: ['the change conflicts with related data'] },
      });
    });

    it.each([
      [
        'a refused connection',
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      ],
      ['a PostgreSQL connection exception class', Object.assign(new Error('x'), { code: '08006' })],
      ['an admin shutdown', Object.assign(new Error('x'), { code: '57P01' })],
      ['a busy SQLite database', Object.assign(new Error('x'), { code: 'SQLITE_BUSY' })],
      ['a terminated pg connection', new Error('Connection terminated unexpectedly')],
      ['a closed TypeORM data source', new TypeORMError('Driver not Connected')],
      ['a closed SQLite handle', queryFailure({ message: 'The database connection is not open' })],
      [
        'a pg connect timeout',
        queryFailure({ message: 'timeout exceeded when trying to connect' }),
      ],
      ['a statement timeout', queryFailure({ code: '57014', message: 'canceling statement' })],
      ['a pg client-side query timeout', queryFailure({ message: 'Query read timeout' })],
    ])('maps %s to 503 with Retry-After', (_label, error) => {
      expect(classifyError(error)).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        errors: { body: [UNAVAILABLE] },
        unexpected: false,
        headers: { 'retry-after': '5' },
      });
    });

    it('maps any other query failure to a generic 500 without the SQL or driver message', () => {
      const classified = classifyError(
        queryFailure({ code: '42P01', message: 'relation "users" does not exist' }),
      );
      expect(classified).toEqual({
        status: 500,
        code: 'INTERNAL_ERROR',
        errors: { body: [GENERIC] },
        unexpected: true,
      });
    });
  });

  describe('anything else', () => {
    it.each([
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
      ['a thrown string', 'boom'],
      ['undefined', undefined],
      ['an object with a 5xx statusCode', { statusCode: 502, message: 'upstream' }],
    ])('maps %s to a generic 500 flagged unexpected', (_label, error) => {
      expect(classifyError(error)).toEqual({
        status: 500,
        code: 'INTERNAL_ERROR',
        errors: { body: [GENERIC] },
        unexpected: true,
      });
    });
  });
});
