import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import { classifyError } from './error-classifier.js';
import { buildErrorEnvelope } from './error-envelope.js';
import { loggableError } from './loggable-error.js';

const logger = new Logger('ErrorReply');

/**
 * Sends any failure as the standard envelope. Shared by the Nest exception filter and the
 * Fastify error handler (errors raised before Nest sees the request, e.g. body parsing).
 */
export function sendErrorReply(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const classified = classifyError(error);
  const requestId = String(request.id);
  if (classified.unexpected) {
    logger.error(
      { err: loggableError(error), requestId, method: request.method, url: request.url },
      'unexpected error',
    );
  } else if (classified.status === 503) {
    logger.warn({ err: loggableError(error), requestId }, 'dependency unavailable');
  }
  if (reply.sent) return;
  // Set here too: errors raised by the router never pass the onRequest hook that sets it.
  void reply.header(REQUEST_ID_HEADER, requestId);
  if (classified.headers) void reply.headers(classified.headers);
  void reply
    .status(classified.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(buildErrorEnvelope(classified.status, classified.code, classified.errors, requestId));
}
