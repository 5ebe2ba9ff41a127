import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import { classifyError } from './error-classifier.js';
import { buildErrorEnvelope } from './error-envelope.js';
import { loggableError } from './loggable-error.js';
import { redactUrl } from '../logging/redaction.js';

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
      {
        err: loggableError(error),
        requestId,
        method: request.method,
        url: redactUrl(request.url),
      },
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

/**
 * Requests the router rejects (malformed URL, over-long path parameter) never reach the
 * request-logging middleware: this one line keeps them traceable by their request id.
 */
export function logRouterRejection(request: FastifyRequest, reply: FastifyReply): void {
  logger.warn(
    {
      req: { id: String(request.id), method: request.method, url: redactUrl(request.url) },
      res: { statusCode: reply.statusCode },
    },
    'request rejected by the router',
  );
}
