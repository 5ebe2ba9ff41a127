import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ErrorEnvelope } from '../errors/error-envelope.js';
import { IDEMPOTENCY_HEADER, IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * Makes a creating POST safe to retry: with an `Idempotency-Key` header, the same key from the
 * same caller within 24 h replays the first response (status and body) without running the
 * handler again. Opt a route in with this one decorator; it documents the header in Swagger.
 */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_HEADER,
      required: false,
      description:
        'Any unique string (1–255 visible ASCII characters, e.g. a UUID). Retrying with the same ' +
        'key within 24 h returns the first response (status and body, with ' +
        '`Idempotent-Replayed: true`) without writing again. Keys are scoped to the caller ' +
        '(anonymous callers share one scope; the body must then match too). A reused key with ' +
        'another method, URL or body → 422; while the first request is still running → 409 ' +
        'with `Retry-After`. Failed requests (4xx/5xx) are not stored: a retry runs again.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
    ApiConflictResponse({
      description: 'A request with this Idempotency-Key is still in progress (Retry-After)',
      type: ErrorEnvelope,
    }),
    ApiUnprocessableEntityResponse({
      description: 'Invalid body, or an Idempotency-Key reused for a different request',
      type: ErrorEnvelope,
    }),
  );
