import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../../config/app.config.js';
import { REDACTED, REDACTED_PATHS, redactHeaders, redactUrl } from './redaction.js';

/** Structured request logging (pino): one line per request, carrying the request id. */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.log.level,
            redact: { paths: REDACTED_PATHS, censor: REDACTED },
            // The id was generated (or accepted) by Fastify's genReqId and stored on the request.
            genReqId: (request) => (request as { id?: string }).id ?? 'unknown',
            customLogLevel: (_request, response, error) =>
              error || response.statusCode >= 500
                ? 'error'
                : response.statusCode >= 400
                  ? 'warn'
                  : 'info',
            serializers: {
              req: (request: {
                id: string;
                method: string;
                url: string;
                headers: Record<string, unknown>;
                remoteAddress?: string;
              }) => ({
                id: request.id,
                method: request.method,
                url: redactUrl(request.url),
                headers: redactHeaders(request.headers),
                remoteAddress: request.remoteAddress,
              }),
              res: (response: { statusCode: number; headers?: Record<string, unknown> }) => ({
                statusCode: response.statusCode,
                headers: redactHeaders(response.headers),
              }),
            },
            transport: config.log.pretty
              ? {
                  target: 'pino-pretty',
                  options: {
                    singleLine: true,
                    translateTime: 'SYS:HH:MM:ss.l',
                    // Development: one short line per request; JSON keeps every field.
                    ignore: 'pid,hostname,context,req,res,responseTime',
                    messageFormat:
                      '{if context}[{context}] {end}{msg}{if req.method} {req.method} {req.url} → {res.statusCode} in {responseTime} ms (request {req.id}){end}',
                  },
                }
              : undefined,
          },
        }),
      ],
    };
  }
}
