import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../errors/error-codes.js';
import { buildErrorEnvelope } from '../errors/error-envelope.js';
import { sendErrorReply } from '../errors/error-reply.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * HTTP/1.1 requests without a Host header get 400 in the envelope. Node would answer them
 * itself with a bare 400 (no body, no request id), so the app turns Node's check off
 * (`requireHostHeader: false` in the server options) and makes it here instead.
 */
export function requireHostHeader(fastify: FastifyInstance): void {
  // Callback style, like every hook on the request path: no promise per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    const { httpVersionMajor, httpVersionMinor } = request.raw;
    const http11 = httpVersionMajor > 1 || (httpVersionMajor === 1 && httpVersionMinor >= 1);
    if (!http11 || request.headers.host) return done();
    sendErrorReply(request, reply, new BadRequestException('the Host header is required'));
  });
}

/**
 * An `Expect` header other than `100-continue` gets 417 in the envelope. Node answers it before
 * any router runs, with a bare 417, unless the server listens for `checkExpectation`.
 */
export function answerExpectationFailures(server: Server): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    const body = JSON.stringify(
      buildErrorEnvelope(
        417,
        ErrorCode.ExpectationFailed,
        { body: ['only the expectation "100-continue" is supported'] },
        requestId,
      ),
    );
    response.writeHead(417, {
      ...SECURITY_HEADERS,
      [REQUEST_ID_HEADER]: requestId,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    response.end(body);
    request.resume();
  });
}
