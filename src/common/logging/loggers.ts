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

/**
 * Builds the loggers for LOG_LEVEL and LOG_PRETTY (pino-pretty in a worker thread).
 *
 * JSON goes to stdout asynchronously: while one write is in flight the next lines queue and
 * leave together, so a busy server makes one write per batch instead of one per request (a
 * synchronous write per line cost a quarter of a health check's CPU at LOG_LEVEL=info). pino
 * flushes the queue synchronously when the process exits, crash included; only a SIGKILL can
 * lose the last lines.
 */
export function createLoggers(log: AppConfig['log']): Loggers {
  const options = { level: log.level };
  const requests = log.pretty
    ? pino({ ...options, transport: prettyTransport() })
    : pino(options, pino.destination({ dest: 1, sync: false }));
  const app = requests.child({}, { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
  return { app, requests };
}

/** Development: one short line per request; JSON keeps every field. */
function prettyTransport() {
  return {
    target: 'pino-pretty',
    options: {
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context,req,res,responseTime',
      messageFormat:
        '{if context}[{context}] {end}{msg}{if req.method} {req.method} {req.url} → {res.statusCode} in {responseTime} ms (request {req.id}){end}',
    },
  };
}
