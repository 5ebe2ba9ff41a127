import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ConflictError, ValidationError } from '../errors/domain-errors.js';
import { IdempotencyService } from './idempotency.service.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Set on a replayed response. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

/** 409: the first request with this key is still running; retry shortly. */
export class IdempotencyKeyInUseError extends ConflictError {
  readonly retryAfterSeconds = 1;
  constructor() {
    super(IDEMPOTENCY_HEADER, 'is used by a request still in progress; retry shortly');
  }
}

const reusedKey = () =>
  ValidationError.of(IDEMPOTENCY_HEADER, 'was already used for a different request');

/** Applied by {@link Idempotent}; see there. Runs after the guards, before validation. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    const header = request.headers[IDEMPOTENCY_HEADER.toLowerCase()];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !VALID_KEY.test(header))
      throw ValidationError.of(IDEMPOTENCY_HEADER, 'must be 1 to 255 visible ASCII characters');

    // Anonymous callers (register, login, refresh) share one scope: a replay then needs the
    // same body, which holds the password or refresh token, so only its owner gets it.
    const scope = request.user ? `user:${request.user.id}` : 'anonymous';
    const key = this.idempotency.storageKey(scope, header);
    const fingerprint = this.idempotency.fingerprint(request.method, request.url, request.body);
    const claim = await this.idempotency.claim(key, fingerprint);
    if (!claim) return next.handle();
    if (claim.outcome !== 'claimed' && claim.fingerprint !== fingerprint) throw reusedKey();
    if (claim.outcome === 'in-flight') throw new IdempotencyKeyInUseError();
    if (claim.outcome === 'completed') {
      http.getResponse<FastifyReply>().header(REPLAYED_HEADER, 'true');
      return of(claim.response.body);
    }

    const status =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ??
      (request.method === 'POST' ? 201 : 200);
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        await this.idempotency.complete(key, fingerprint, { status, body });
        return body;
      }),
      // A failed request wrote nothing (each write is one transaction, answered only after it
      // commits): free the key so that a retry runs again.
      catchError((error: unknown) =>
        from(this.idempotency.release(key)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }
}
