import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { writeRawErrorEnvelope } from '../errors/client-error-handler.js';
import { ErrorCode } from '../errors/error-codes.js';

/**
 * Fastify/Node server options that bound how long a client may take to send a request:
 * `requestTimeout` for the whole request (headers and body), `headersTimeout` for the headers
 * alone (the same bound: Node requires it to be no larger). Node checks open connections
 * against them every `connectionsCheckingInterval` (30 s by default, far coarser than the
 * bound itself), so the check runs every second, or more often for very short bounds. A
 * request that misses the bound gets 408 REQUEST_TIMEOUT in the envelope from the client-error
 * handler and its connection is closed; once received, handling the request is not bounded here.
 */
export function requestTimeoutOptions(requestTimeoutMs: number) {
  return {
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
    },
  };
}

/**
 * Caps the connections one client address may hold open at once (0 = no cap), so one host
 * cannot exhaust the server's sockets and memory by opening connections and stalling them.
 * A connection over the cap is answered 429 RATE_LIMITED in the envelope and closed at once,
 * before any request is read. Counted per TCP peer address (the reverse proxy's, behind one).
 */
export function limitConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      writeRawErrorEnvelope(
        socket,
        429,
        ErrorCode.RateLimited,
        `too many open connections from this address (at most ${max})`,
        { 'Retry-After': '1' },
      );
      // end() rather than destroy(): the answer is flushed before the connection closes.
      socket.end();
      socket.destroySoon();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
