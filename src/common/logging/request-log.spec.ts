import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fastify, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { generateRequestId } from '../http/request-id.js';
import { AppLogger } from './app-logger.js';
import { RequestLog } from './request-log.js';

/** A pino logger at `level` whose lines land, parsed, in the returned array. */
function capturing(level: string) {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: pino({ level }, sink) };
}

/**
 * A Fastify server that logs like the app (genReqId, onResponse hook) and answers ?status=.
 * Real HTTP (not inject(): light-my-request cannot load under Jest's ESM mode on Node 20).
 */
async function serve(log: RequestLog): Promise<{ server: FastifyInstance; url: string }> {
  const server = fastify({ genReqId: generateRequestId, requestIdHeader: false });
  server.addHook('onResponse', (request, reply, done) => {
    log.record(request, reply);
    done();
  });
  server.get('/*', async (request, reply) =>
    reply.status(Number((request.query as { status?: string }).status ?? 200)).send({}),
  );
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, url };
}

describe('request log', () => {
  const { lines, logger } = capturing('info');
  let server: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    ({ server, url: baseUrl } = await serve(new RequestLog(logger)));
  });
  afterAll(() => server.close());

  /** Sends one request and returns its log line. */
  async function logged(status: number, headers: Record<string, string> = {}, path = '/api/thing') {
    const before = lines.length;
    await fetch(`${baseUrl}${path}?status=${status}`, { headers });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.length).toBe(before + 1);
    return lines[before];
  }

  it('logs the request id that the response carries', async () => {
    const line = await logged(200, { 'x-request-id': 'trace-77' });
    expect(line.req.id).toBe('trace-77');
    expect(line.req).toMatchObject({ method: 'GET', url: '/api/thing?status=200' });
    expect(line.res).toEqual({ statusCode: 200 });
    expect(line.msg).toBe('request completed');
    expect(typeof line.responseTime).toBe('number');
  });

  it('redacts the Authorization and Cookie headers', async () => {
    const line = await logged(200, { authorization: 'Token secret.jwt.value', cookie: 'a=b' });
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.req.headers.cookie).toBe('[redacted]');
    expect(JSON.stringify(line)).not.toContain('secret.jwt.value');
  });

  it('logs only allow-listed headers verbatim; any other header is redacted', async () => {
    const line = await logged(200, {
      'user-agent': 'curl/8',
      'x-auth-token': 'opaque-credential',
      'x-api-key': 'key-123',
    });
    expect(line.req.headers['user-agent']).toBe('curl/8');
    expect(line.req.headers['x-auth-token']).toBe('[redacted]');
    expect(line.req.headers['x-api-key']).toBe('[redacted]');
  });

  it('hides credentials in the URL and in logged headers that carry one', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const line = await logged(
      200,
      { referer: `http://app.example/cb?token=abc`, 'user-agent': `agent ${jwt}` },
      `/api/profiles/${jwt}`,
    );
    expect(line.req.url).toBe('/api/profiles/[redacted]?status=200');
    // The referer is another site's URL (reset links, tokens): never logged.
    expect(line.req.headers.referer).toBe('[redacted]');
    expect(line.req.headers['user-agent']).toBe('agent [redacted]');
    expect(JSON.stringify(line)).not.toContain('c2lnbmF0dXJl');
  });

  it.each([
    [200, 30],
    [404, 40],
    [429, 40],
    [500, 50],
    [503, 50],
  ])('logs a %i response at pino level %i', async (status, level) => {
    expect((await logged(status)).level).toBe(level);
  });

  it('writes nothing for a level that is off (LOG_LEVEL=warn: 2xx not logged, 4xx logged)', async () => {
    const quiet = capturing('warn');
    const other = await serve(new RequestLog(quiet.logger));
    try {
      await fetch(`${other.url}/x?status=200`);
      await fetch(`${other.url}/x?status=404`);
      await new Promise((resolve) => setImmediate(resolve));
      expect(quiet.lines.map((line) => line.res.statusCode)).toEqual([404]);
    } finally {
      await other.server.close();
    }
  });
});

describe('AppLogger (the Nest logger)', () => {
  it('logs an object with its message and the context, redacting secrets as configured', () => {
    const lines: Array<Record<string, any>> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logger = new AppLogger(
      pino({ redact: { paths: ['*.password'], censor: '[redacted]' } }, sink),
    );
    logger.warn({ requestId: 'r-1', body: { password: 'pw' } }, 'something odd', 'Ctx');
    logger.log('plain message', 'Other');
    logger.error('boom', 'Error: boom\n    at somewhere (file.js:1:1)', 'ExceptionsHandler');
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: 'something odd',
      context: 'Ctx',
      requestId: 'r-1',
      body: { password: '[redacted]' },
    });
    expect(lines[1]).toMatchObject({ level: 30, msg: 'plain message', context: 'Other' });
    expect(lines[2]).toMatchObject({ level: 50, context: 'ExceptionsHandler' });
    expect(lines[2].err.message).toBe('boom');
  });
});
