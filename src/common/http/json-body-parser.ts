import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ValidationError } from '../errors/domain-errors.js';
import { containsLoneSurrogate, exceedsJsonDepth, MAX_JSON_DEPTH } from './json-body-rules.js';

/**
 * JSON body parsing that tolerates an empty body. RealWorld clients (and the official Postman
 * suite) send `Content-Type: application/json` with no body on POST /favorite, DELETE and
 * similar; Fastify's default parser rejects those with 400. Non-empty bodies go through
 * Fastify's own parser, which keeps its prototype-poisoning protection and error codes, once
 * they are known not to nest deeper than {@link MAX_JSON_DEPTH}; bodies nested deeper, or with
 * strings that are not valid Unicode, get a 422.
 */
export function useLenientJsonParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const strictParser = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    const text = body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (exceedsJsonDepth(text)) {
      done(ValidationError.of('body', `must not nest more than ${MAX_JSON_DEPTH} levels deep`));
      return;
    }
    void strictParser(request as never, text, (error, parsed) => {
      if (!error && containsLoneSurrogate(parsed)) {
        done(ValidationError.of('body', 'must be valid Unicode (no lone surrogate escapes)'));
        return;
      }
      done(error, parsed);
    });
  });
}
