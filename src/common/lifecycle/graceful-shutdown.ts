import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ServiceUnavailableError } from '../errors/domain-errors.js';
import { sendErrorReply } from '../errors/error-reply.js';

const CONTEXT = 'Shutdown';
/** How often connections that went idle while closing are closed. */
const IDLE_SWEEP_MS = 100;

export interface GracefulShutdownOptions {
  /** Longest wait for in-flight requests and connections to close (SHUTDOWN_TIMEOUT_MS). */
  timeoutMs: number;
  logger: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  /** Ends the process; `process.exit` unless a test substitutes it. */
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
  /** Where the signal listeners are registered; `process` unless a test substitutes it. */
  emitter?: Pick<NodeJS.Process, 'on' | 'off'>;
  /**
   * The HTTP server. Node closes the connections that are idle when closing starts, but not
   * those that go idle later (a request finished during the drain leaves a kept-alive
   * connection open, and the close would wait for the client for up to the keep-alive
   * timeout): those are swept while closing.
   */
  httpServer?: { closeIdleConnections(): void };
}

/**
 * Closes the application on SIGTERM or SIGINT and then exits with 0, or with 1 when closing
 * fails or takes longer than `timeoutMs`. Used instead of Nest's `enableShutdownHooks()`, which
 * re-raises the signal after closing so an orderly stop would still end with status 143.
 *
 * `app.close()` stops accepting connections, lets requests already being processed finish
 * (later requests on kept-alive connections get 503 in the envelope), then closes the database
 * and Redis.
 * Further signals while closing are ignored (the bound still applies). Returns a function
 * removing the listeners.
 */
export function exitGracefullyOnSignals(
  app: { close(): Promise<void> },
  options: GracefulShutdownOptions,
): () => void {
  const { timeoutMs, logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const emitter = options.emitter ?? process;
  let closing = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      // E.g. Ctrl+C reaches a cluster worker both from the terminal and from the primary.
      logger.warn(`${signal} received while already shutting down: ignored`, CONTEXT);
      return;
    }
    closing = true;
    logger.log(`${signal} received: finishing in-flight requests (up to ${timeoutMs} ms)`, CONTEXT);
    const sweep = options.httpServer
      ? setInterval(() => options.httpServer?.closeIdleConnections(), IDLE_SWEEP_MS)
      : undefined;
    const deadline = setTimeout(() => {
      clearInterval(sweep);
      logger.error(
        `shutdown did not finish within ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): exiting with 1`,
        CONTEXT,
      );
      exit(1);
    }, timeoutMs);
    app.close().then(
      () => {
        clearTimeout(deadline);
        clearInterval(sweep);
        logger.log('shutdown complete', CONTEXT);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        clearInterval(sweep);
        logger.error(
          `shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
          error instanceof Error ? error.stack : undefined,
          CONTEXT,
        );
        exit(1);
      },
    );
  };

  for (const signal of signals) emitter.on(signal, onSignal);
  return () => {
    for (const signal of signals) emitter.off(signal, onSignal);
  };
}

/**
 * While the server is closing: a request that arrives on a kept-alive connection is answered
 * 503 in the standard envelope without being processed (Fastify's own `return503OnClosing`
 * would answer with a body of its own shape), and every response carries `Connection: close`,
 * so a client whose request was drained does not race its next request against the close.
 */
export function refuseRequestsWhileClosing(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    sendErrorReply(
      request,
      reply,
      new ServiceUnavailableError('the server is shutting down; retry the request'),
    );
    return reply;
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (closing && request.raw.httpVersionMajor === 1) void reply.header('connection', 'close');
    return payload;
  });
}
