import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { redactHeaders, redactUrl } from './redaction.js';

/**
 * One log line per finished request, written from the app's onResponse hook: request id,
 * method, redacted URL and headers, client address, status and duration. Nothing is built
 * per request unless the line's level is enabled (`LOG_LEVEL=warn` logs 4xx and 5xx only).
 */
export class RequestLog {
  private readonly info: boolean;
  private readonly warn: boolean;
  private readonly error: boolean;

  constructor(private readonly logger: Logger) {
    this.info = logger.isLevelEnabled('info');
    this.warn = logger.isLevelEnabled('warn');
    this.error = logger.isLevelEnabled('error');
  }

  record(request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    if (status >= 500) {
      if (this.error) this.logger.error(this.line(request, reply), 'request completed');
    } else if (status >= 400) {
      if (this.warn) this.logger.warn(this.line(request, reply), 'request completed');
    } else if (this.info) {
      this.logger.info(this.line(request, reply), 'request completed');
    }
  }

  private line(request: FastifyRequest, reply: FastifyReply) {
    return {
      req: {
        id: request.id,
        method: request.method,
        url: redactUrl(request.url),
        headers: redactHeaders(request.headers),
        remoteAddress: request.ip,
      },
      res: { statusCode: reply.statusCode },
      responseTime: Math.round(reply.elapsedTime),
    };
  }
}
