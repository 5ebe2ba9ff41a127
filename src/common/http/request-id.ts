import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify `genReqId`: keeps a sane incoming X-Request-Id (so ids follow a request across
 * services) and otherwise generates one. The id is also stored on the raw request, where
 * pino-http picks it up, so logs and responses carry the same id.
 */
export function generateRequestId(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  const id =
    typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}
