import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ServiceUnavailableError } from '../errors/domain-errors.js';
import { sendErrorReply } from '../errors/error-reply.js';

const CONTEXT = 'Shutdown';
/**
 * Connections that were idle (kept alive between two requests) when the signal arrived are
 * closed once they have stayed idle this long. Closing one at once would race with the
 * client's next request on it, which then fails with a connection reset; a client that uses
 * it within this time gets an answer instead (503, `Connection: close`).
 */
export const IDLE_CONNECTION_GRACE_MS = 1000;
/** How often the drain checks its connections. */
const DRAIN_POLL_MS = 25;

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
   * The HTTP side of the drain ({@link HttpDrain.of}): started at the signal, before the app
   * closes, so that from the signal on no response keeps a connection alive.
   */
  drain?: Pick<HttpDrain, 'begin' | 'settle'>;
}

/**
 * Closes the application on SIGTERM or SIGINT and then exits with 0, or with 1 when closing
 * fails or takes longer than `timeoutMs`. Used instead of Nest's `enableShutdownHooks()`, which
 * re-raises the signal after closing so an orderly stop would still end with status 143.
 *
 * At the signal the {@link HttpDrain} begins (every response says `Connection: close`, new
 * requests get 503 in the envelope) and settles the connections that were idle; then
 * `app.close()` stops accepting connections, lets requests already being processed finish and
 * closes the database and Redis. Further signals while closing are ignored (the bound still applies). Returns a function
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
    options.drain?.begin();
    const deadline = setTimeout(() => {
      logger.error(
        `shutdown did not finish within ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): exiting with 1`,
        CONTEXT,
      );
      exit(1);
    }, timeoutMs);
    // Half the bound for the drain while listening, the rest for the close.
    const closed = options.drain
      ? options.drain.settle(IDLE_CONNECTION_GRACE_MS, timeoutMs / 2).then(() => app.close())
      : app.close();
    closed.then(
      () => {
        clearTimeout(deadline);
        logger.log('shutdown complete', CONTEXT);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
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

const drains = new WeakMap<FastifyInstance, HttpDrain>();

/**
 * The HTTP side of a graceful shutdown. From {@link begin} (the signal) or the start of
 * closing, whichever comes first:
 * - every response carries `Connection: close`, so a client whose request is being drained
 *   does not race its next request against the close;
 * - a request that still arrives (on a kept-alive connection, or a new one while the server
 *   still listens) is answered 503 in the standard envelope without being processed (Fastify's
 *   own `return503OnClosing` would answer with a body of its own shape);
 * - {@link settle} waits, still listening, until no connection is left: requests in progress
 *   are answered, a connection that was idle at the signal is either used once more (answered
 *   503, which closes it) or closed after staying idle for {@link IDLE_CONNECTION_GRACE_MS}.
 *   Then the server may stop listening.
 */
export class HttpDrain {
  private closing = false;
  /** Open connections: requests in progress, and since when the connection has been idle. */
  private readonly connections = new Map<Socket, { busy: number; idleSince: number }>();

  private constructor(fastify: FastifyInstance) {
    fastify.server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { busy: 0, idleSince: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
    fastify.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const state = this.connections.get(request.socket);
      if (!state) return;
      state.busy += 1;
      response.once('close', () => {
        state.busy -= 1;
        state.idleSince = Date.now();
      });
    });
    fastify.addHook('preClose', async () => this.begin());
    // Callback style: these run for every request, and a promise each was measurable.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (!this.closing) return done();
      sendErrorReply(
        request,
        reply,
        new ServiceUnavailableError('the server is shutting down; retry the request'),
      );
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (this.closing && request.raw.httpVersionMajor === 1)
        void reply.header('connection', 'close');
      done(null, payload);
    });
  }

  /** Installs the drain's hooks on `fastify` (before it listens); see {@link HttpDrain.of}. */
  static install(fastify: FastifyInstance): HttpDrain {
    const drain = new HttpDrain(fastify);
    drains.set(fastify, drain);
    return drain;
  }

  /** The drain installed on `fastify`, if any. */
  static of(fastify: FastifyInstance): HttpDrain | undefined {
    return drains.get(fastify);
  }

  /** From now on: `Connection: close` on every response, 503 for every new request. */
  begin(): void {
    this.closing = true;
  }

  /**
   * Resolves once no connection is left: requests in progress have been answered (their
   * connections close after the response), and connections that stay idle for `graceMs` are
   * closed. Meanwhile the server keeps listening and answers new requests 503: a client never
   * finds its new connection waiting in a listening socket nobody accepts from any more (with
   * `start:cluster`, the primary keeps the socket open until every worker has closed its copy,
   * and such connections were reset). Gives up after `maxMs`; the close that follows still
   * drains what is left.
   */
  async settle(
    graceMs = IDLE_CONNECTION_GRACE_MS,
    maxMs = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    const started = Date.now();
    for (;;) {
      const now = Date.now();
      if (now - started >= maxMs) return;
      let waiting = false;
      for (const [socket, state] of this.connections) {
        if (state.busy > 0) waiting = true;
        else if (now - state.idleSince >= graceMs) socket.destroy();
        else waiting = true;
      }
      if (!waiting) return;
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }
}
