import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamicModule, ValueProvider } from '@nestjs/common';
import { PARAMS_PROVIDER_TOKEN, type Params } from 'nestjs-pino';
import { pinoHttp, type Options } from 'pino-http';
import { loadConfig } from '../../config/app.config.js';
import { generateRequestId } from '../http/request-id.js';
import { LoggingModule } from './logging.module.js';

/** The pino-http options LoggingModule hands to nestjs-pino. */
function pinoHttpOptions(): Options {
  const loggerModule = LoggingModule.forRoot(loadConfig({ LOG_LEVEL: 'info', LOG_PRETTY: 'false' }))
    .imports?.[0] as DynamicModule;
  const provider = loggerModule.providers?.find(
    (candidate) => (candidate as ValueProvider).provide === PARAMS_PROVIDER_TOKEN,
  ) as ValueProvider<Params>;
  return provider.useValue.pinoHttp as Options;
}

/**
 * Serves requests through pino-http configured exactly as the app configures it, with the
 * request id assigned the way Fastify's genReqId does, and collects the log lines.
 */
describe('request logging', () => {
  const lines: Array<Record<string, any>> = [];
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logRequest = pinoHttp(pinoHttpOptions(), sink);
    server = createServer((request, response) => {
      generateRequestId(request);
      logRequest(request, response);
      response.statusCode = Number(
        new URL(request.url ?? '/', 'http://x').searchParams.get('status'),
      );
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends one request and returns its log line. */
  async function logged(status: number, headers: Record<string, string> = {}) {
    const before = lines.length;
    await fetch(`${baseUrl}/api/thing?status=${status}`, { headers });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.length).toBe(before + 1);
    return lines[before];
  }

  it('logs the request id that the response carries', async () => {
    const line = await logged(200, { 'x-request-id': 'trace-77' });
    expect(line.req.id).toBe('trace-77');
    expect(line.req).toMatchObject({ method: 'GET', url: '/api/thing?status=200' });
  });

  it('redacts the Authorization and Cookie headers', async () => {
    const line = await logged(200, { authorization: 'Token secret.jwt.value', cookie: 'a=b' });
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.req.headers.cookie).toBe('[redacted]');
    expect(JSON.stringify(line)).not.toContain('secret.jwt.value');
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
});
