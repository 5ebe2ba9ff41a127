import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * JSON body parsing that tolerates an empty body. RealWorld clients (and the official Postman
 * suite) send `Content-Type: application/json` with no body on POST /favorite, DELETE and
 * similar; Fastify's default parser rejects those with 400. Non-empty bodies go through
 * Fastify's own parser, which keeps its prototype-poisoning protection and error codes.
 */
export function useLenientJsonParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const strictParser = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    if (body.length === 0 || body.toString('utf8').trim() === '') {
      done(null, undefined);
      return;
    }
    void strictParser(request as never, body.toString('utf8'), done);
  });
}
