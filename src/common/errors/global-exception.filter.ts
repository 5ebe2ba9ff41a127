import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendErrorReply } from './error-reply.js';

/** The one exception filter: every error thrown in Nest ends up in the standard envelope. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendErrorReply(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception);
  }
}
