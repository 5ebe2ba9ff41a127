import { pino, type Logger } from 'pino';
import type { AppConfig } from '../../config/app.config.js';
import { REDACTED_PATHS } from './redaction.js';

/** The two pino loggers of the process; both write to one destination. */
export interface Loggers {
  /** Application lines (any object shape): redacted by pino along {@link REDACTED_PATHS}. */
  app: Logger;
  /** The per-request line, built already redacted: no redaction pass of its own. */
  requests: Logger;
}

/** Builds the loggers for LOG_LEVEL and LOG_PRETTY (pino-pretty in a worker thread). */
export function createLoggers(log: AppConfig['log']): Loggers {
  const requests = pino({
    level: log.level,
    transport: log.pretty
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
  });
  const app = requests.child({}, { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
  return { app, requests };
}
