import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { sendClientErrorEnvelope } from './common/errors/client-error-handler.js';
import { logRouterRejection, sendErrorReply } from './common/errors/error-reply.js';
import { refuseRequestsWhileClosing } from './common/lifecycle/graceful-shutdown.js';
import { HttpMetrics } from './common/metrics/http-metrics.js';
import { useLenientJsonParser } from './common/http/json-body-parser.js';
import { generateRequestId, REQUEST_ID_HEADER } from './common/http/request-id.js';
import { ROUTER_ERROR_SECURITY_HEADERS, SECURITY_HEADERS } from './common/http/security-headers.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';
import { setupSwagger } from './common/swagger/setup-swagger.js';
import type { AppConfig } from './config/app.config.js';
import { REPLAYED_HEADER } from './common/idempotency/idempotency.interceptor.js';

export interface CreateAppOptions {
  /**
   * Serve the Swagger UI assets (default true). The in-process e2e tests turn it off: under
   * Jest's ESM mode on Node 22 @fastify/static cannot load (it requires an ES module; Node 24
   * loads it, Node 22 exits). /docs-json is still served; the built-server tests cover the UI.
   */
  swaggerUi?: boolean;
}

/**
 * Builds the configured application without listening. main.ts and the e2e tests both use
 * it, so tests exercise exactly what production runs.
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(config.http.trustProxy),
    genReqId: generateRequestId,
    requestIdHeader: false,
    logger: false,
    // Requests arriving while closing get the envelope's 503 (refuseRequestsWhileClosing).
    return503OnClosing: false,
    // Requests Node's HTTP parser rejects (oversized headers, bytes that are not HTTP) never
    // reach the router; without this they would get Fastify's own body, not the envelope.
    clientErrorHandler: sendClientErrorEnvelope,
    // Malformed URLs and over-long path params are rejected by the router before any hook or
    // Nest handler runs; without this they would get Fastify's own body, not the envelope.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      // No onRequest hook runs for these: the security headers are set here.
      void reply.headers(ROUTER_ERROR_SECURITY_HEADERS);
      sendErrorReply(request, reply, error);
      logRouterRejection(request, reply);
    },
  });
  // JSON only: Nest's body parsers would add form bodies and Fastify accepts text/plain; both
  // are turned away with 415 so a body can only arrive in the one format the API documents.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(SECURITY_HEADERS).header(REQUEST_ID_HEADER, request.id);
    done();
  });
  refuseRequestsWhileClosing(fastify);
  const metrics = app.get(HttpMetrics);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observe(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  app.enableCors({
    origin: config.http.corsOrigins.includes('*') ? true : config.http.corsOrigins,
    // @fastify/cors allows only GET, HEAD and POST by default: browsers could not PUT or DELETE.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    exposedHeaders: [
      REQUEST_ID_HEADER,
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'retry-after',
      REPLAYED_HEADER.toLowerCase(),
    ],
  });
  useLenientJsonParser(app, config.http.bodyLimitBytes);
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());
  // No enableShutdownHooks(): main.ts handles SIGTERM/SIGINT itself (exit 0 after a clean
  // close, bounded by SHUTDOWN_TIMEOUT_MS); tests close their apps with app.close().
  setupSwagger(app, { ui: options.swaggerUi ?? true });
  return app;
}

/** Fastify trusts a hop count at run time, but its types only take a function for it. */
function fastifyTrustProxy(setting: boolean | number | string) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}
