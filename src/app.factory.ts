import { NestFactory } from '@nestjs/core';
import helmet from '@fastify/helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { sendErrorReply } from './common/errors/error-reply.js';
import { refuseRequestsWhileClosing } from './common/lifecycle/graceful-shutdown.js';
import { HttpMetrics } from './common/metrics/http-metrics.js';
import { useLenientJsonParser } from './common/http/json-body-parser.js';
import { generateRequestId, REQUEST_ID_HEADER } from './common/http/request-id.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';
import { setupSwagger } from './common/swagger/setup-swagger.js';
import type { AppConfig } from './config/app.config.js';

export interface CreateAppOptions {
  /**
   * Serve the Swagger UI assets (default true). The e2e tests turn it off: under Jest on
   * Node 20 @fastify/static cannot load (it requires an ES module); /docs-json is still served.
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
    // Malformed URLs and over-long path params are rejected by the router before any hook or
    // Nest handler runs; without this they would get Fastify's own body, not the envelope.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendErrorReply(request, reply, error),
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
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
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
  await app.register(helmet, {
    // JSON API: nothing may be framed or sniffed. The CSP only matters for Swagger UI's page,
    // whose init script and styles are inline.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        // Would send the UI's own assets to https:// when it is opened over plain HTTP (local runs).
        upgradeInsecureRequests: null,
      },
    },
    // A public API is read cross-origin by browsers (CORS decides who); CORP must not block it.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
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
