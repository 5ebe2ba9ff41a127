import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import { ErrorCode } from './error-codes.js';
import { buildErrorEnvelope } from './error-envelope.js';

/**
 * Fastify `clientErrorHandler`: answers what Node's HTTP parser rejects before Fastify sees a
 * request (headers over the size limit, bytes that are not HTTP, a request that arrives too
 * slowly) with the error envelope, then closes the connection as Fastify's default does.
 */
export function sendClientErrorEnvelope(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, ErrorCode.HeadersTooLarge, 'the request headers (or URL) are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, ErrorCode.RequestTimeout, 'the request took too long to arrive']
        : [400, ErrorCode.BadRequest, 'malformed HTTP request'];
  writeRawErrorEnvelope(socket, status, code, message);
  socket.destroy(error);
}

/**
 * Writes a complete HTTP/1.1 error response carrying the envelope straight to a socket, for
 * failures outside any request Fastify handles (parser errors, refused connections). The
 * caller closes the socket; `Connection: close` tells the client so.
 */
export function writeRawErrorEnvelope(
  socket: Socket,
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (!socket.writable) return;
  const requestId = randomUUID();
  const body = JSON.stringify(buildErrorEnvelope(status, code, { body: [message] }, requestId));
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      extra +
      'Connection: close\r\n\r\n' +
      body,
  );
}
