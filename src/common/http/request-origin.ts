import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Where a request came from, as recorded in the audit trail: never a credential. */
export interface RequestOrigin {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

/** Reads the client address (after TRUST_PROXY), user agent and request id of a request. */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    requestId: typeof request.id === 'string' ? request.id : undefined,
  };
}

/** Handler parameter decorator: the {@link RequestOrigin} of the current request. */
export const Origin = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestOrigin =>
    requestOrigin(context.switchToHttp().getRequest<FastifyRequest>()),
);
