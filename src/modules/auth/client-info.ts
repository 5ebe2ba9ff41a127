import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from './sessions.service.js';

/** Device details recorded with a new session, shown to the user in the session list. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent : undefined, ip: request.ip };
}
