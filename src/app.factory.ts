import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { sendErrorReply } from './common/errors/error-reply.js';
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
    trustProxy: config.http.trustProxy,
    genReqId: generateRequestId,
    requestIdHeader: false,
    logger: false,
    return503OnClosing: true,
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
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
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
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  setupSwagger(app, { ui: options.swaggerUi ?? true });
  return app;
}
