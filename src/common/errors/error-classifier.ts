import { HttpException, HttpStatus } from '@nestjs/common';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';
import { DomainError, type FieldErrors } from './domain-errors.js';
import { ErrorCode } from './error-codes.js';
import { isMissingParentViolation } from './foreign-key-violation.js';
import { uniqueViolationField } from './unique-violation.js';

/** What the client is told about a failure. `expose: false` means details go to the log only. */
export interface ClassifiedError {
  status: number;
  code: ErrorCode;
  errors: FieldErrors;
  /** True for unexpected failures: logged at error level with the stack. */
  unexpected: boolean;
  headers?: Record<string, string>;
}

const GENERIC_INTERNAL = 'an unexpected error occurred; quote the request id when reporting it';
const DATABASE_UNAVAILABLE = 'the service is temporarily unavailable, try again shortly';

const FASTIFY_CODES: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_BAD_URL: {
    status: 400,
    code: ErrorCode.BadRequest,
    message: 'the URL is not valid (bad percent-encoding)',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: ErrorCode.BadRequest,
    message: 'a path segment of the URL is too long',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: ErrorCode.PayloadTooLarge,
    message: 'request body is larger than the allowed limit',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: ErrorCode.UnsupportedMediaType,
    message: 'unsupported content type; send application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: ErrorCode.BadRequest,
    message: 'request body length does not match Content-Length',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: ErrorCode.MalformedJson,
    message: 'request body is empty but Content-Type is application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: ErrorCode.MalformedJson,
    message: 'request body is not valid JSON',
  },
};

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  422: ErrorCode.ValidationFailed,
  429: ErrorCode.RateLimited,
  503: ErrorCode.ServiceUnavailable,
};

/** Maps any thrown value (domain, HTTP, Fastify, database or unknown) to what the client sees. */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof DomainError) {
    const headers =
      'retryAfterSeconds' in error ? { 'retry-after': String(error.retryAfterSeconds) } : undefined;
    return {
      status: error.status,
      code: error.code,
      errors: error.fields,
      unexpected: false,
      headers,
    };
  }
  if (error instanceof HttpException) return classifyHttpException(error);
  if (error instanceof QueryFailedError) return classifyQueryFailure(error);
  // A row read back after a write was deleted meanwhile (a concurrent delete): it is gone.
  if (error instanceof EntityNotFoundError) return notFound();
  if (isDatabaseUnavailable(error)) return unavailable();

  const fastify = fastifyError(error);
  if (fastify) return fastify;

  return {
    status: 500,
    code: ErrorCode.InternalError,
    errors: { body: [GENERIC_INTERNAL] },
    unexpected: true,
  };
}

function classifyHttpException(error: HttpException): ClassifiedError {
  // Nest wraps Fastify's own errors (body parsing, limits) in an HttpException with the cause.
  const fromFastify = fastifyError(error.cause);
  if (fromFastify) return fromFastify;
  const status = error.getStatus();
  // Raised by the readiness probe (Terminus) when the database does not answer.
  if (status === HttpStatus.SERVICE_UNAVAILABLE) return unavailable();
  if (status >= 500) {
    return {
      status,
      code: STATUS_CODES[status] ?? ErrorCode.InternalError,
      errors: { body: [GENERIC_INTERNAL] },
      unexpected: status === 500,
    };
  }
  const isUnknownRoute = status === HttpStatus.NOT_FOUND && /^Cannot [A-Z]+ /.test(error.message);
  const code = isUnknownRoute
    ? ErrorCode.RouteNotFound
    : (STATUS_CODES[status] ?? ErrorCode.BadRequest);
  const message = isUnknownRoute
    ? `route ${error.message.replace(/^Cannot /, '')} does not exist`
    : httpMessage(error);
  return { status, code, errors: { body: [message] }, unexpected: false };
}

function httpMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join(', ');
  return typeof message === 'string' ? message : error.message;
}

function classifyQueryFailure(error: QueryFailedError): ClassifiedError {
  const driverError = error.driverError as
    { code?: string; detail?: string; message?: string } | undefined;
  const code = driverError?.code ?? '';

  const field = uniqueViolationField(error);
  if (field !== undefined) {
    return {
      status: 409,
      code: ErrorCode.Conflict,
      errors: { [field]: ['has already been taken'] },
      unexpected: false,
    };
  }
  // PostgreSQL refuses NUL characters and invalid byte sequences in text: bad input, not a crash.
  if (code === '22021' || code === '22P05') {
    return {
      status: 422,
      code: ErrorCode.ValidationFailed,
      errors: { body: ['contains characters that cannot be stored (e.g. NUL)'] },
      unexpected: false,
    };
  }
  // A write referencing a parent deleted meanwhile (services name the resource when they can).
  if (isMissingParentViolation(error)) return notFound();
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return {
      status: 409,
      code: ErrorCode.Conflict,
      errors: { body: ['the change conflicts with related data'] },
      unexpected: false,
    };
  }
  if (isDatabaseUnavailable(driverError)) return unavailable();
  return {
    status: 500,
    code: ErrorCode.InternalError,
    errors: { body: [GENERIC_INTERNAL] },
    unexpected: true,
  };
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS) was reached
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
]);

// Connection failures that carry no code: pg pool, TypeORM (closed data source), better-sqlite3.
const UNAVAILABLE_MESSAGE = new RegExp(
  [
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    'connect ECONNREFUSED',
    'Driver not Connected',
    'Connection is not established',
    'database connection is not open',
  ].join('|'),
  'i',
);

function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08')))
    return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message);
}

function notFound(): ClassifiedError {
  return {
    status: 404,
    code: ErrorCode.NotFound,
    errors: { body: ['the resource does not exist (any more)'] },
    unexpected: false,
  };
}

function unavailable(): ClassifiedError {
  return {
    status: 503,
    code: ErrorCode.ServiceUnavailable,
    errors: { body: [DATABASE_UNAVAILABLE] },
    unexpected: false,
    headers: { 'retry-after': '5' },
  };
}

function fastifyError(error: unknown): ClassifiedError | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  const known = typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
  if (known)
    return {
      status: known.status,
      code: known.code,
      errors: { body: [known.message] },
      unexpected: false,
    };
  // Body parser errors (e.g. a JSON SyntaxError) carry a 4xx statusCode but no Fastify code.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const isJson = error instanceof SyntaxError;
    return {
      status: statusCode,
      code: isJson ? ErrorCode.MalformedJson : (STATUS_CODES[statusCode] ?? ErrorCode.BadRequest),
      errors: { body: [isJson ? 'request body is not valid JSON' : 'bad request'] },
      unexpected: false,
    };
  }
  return undefined;
}
