import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-codes.js';
import { ErrorEnvelope } from '../errors/error-envelope.js';

const ERROR_REF = { $ref: '#/components/schemas/ErrorEnvelope' };

/** What each documented error status looks like, so examples never show a 422 under a 401. */
const ERROR_EXAMPLES: Record<number, { code: ErrorCode; errors: Record<string, string[]> }> = {
  400: { code: ErrorCode.MalformedJson, errors: { body: ['request body is not valid JSON'] } },
  401: { code: ErrorCode.Unauthorized, errors: { body: ['token is invalid'] } },
  403: { code: ErrorCode.Forbidden, errors: { body: ['only the owner may change this resource'] } },
  404: { code: ErrorCode.NotFound, errors: { body: ['article "how-to-train" not found'] } },
  422: { code: ErrorCode.ValidationFailed, errors: { email: ['must be an email'] } },
  429: {
    code: ErrorCode.RateLimited,
    errors: { body: ['too many requests, retry in 42 seconds'] },
  },
  500: {
    code: ErrorCode.InternalError,
    errors: { body: ['an unexpected error occurred; quote the request id when reporting it'] },
  },
};

const errorResponse = (status: number, description: string) => ({
  description,
  content: {
    'application/json': {
      schema: ERROR_REF,
      example: { ...ERROR_EXAMPLES[status], status, requestId: 'b3c1e2d4-…' },
    },
  },
});

type Operation = {
  description?: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, unknown>;
  parameters?: Array<{ in: string }>;
  requestBody?: unknown;
  'x-auth'?: string;
  'x-roles'?: string[];
  'x-owned'?: boolean;
};

/**
 * Serves Swagger UI at /docs and the JSON at /docs-json. Security and the standard error
 * responses are derived from the same decorators the guards read, so docs cannot drift.
 *
 * The document is built by the first request for it, then kept: an instance that never serves
 * the docs never holds them (about 4.5 MiB of heap once built).
 */
export function setupSwagger(app: INestApplication, options: { ui: boolean }): void {
  SwaggerModule.setup('docs', app, () => buildDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerUiEnabled: options.ui,
  });
}

function buildDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Conduit Platform API')
    .setDescription(
      'RealWorld-compatible API. Authenticate with `Authorization: Token <jwt>` or `Bearer <jwt>`. ' +
        'Every error uses the ErrorEnvelope shape: `{ errors: { field: [messages] }, code, status, requestId }`.',
    )
    .setVersion('1.0')
    // Relative: "Try it out" calls the server that served the document (paths carry /api).
    .addServer('/', 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'Bearer')
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'RealWorld style: `Token <jwt>`',
      },
      'Token',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelope] });
  decorateOperations(document);
  return document;
}

const OPTIONAL_TOKEN_NOTE =
  'The token is optional: with a valid one the answer is personalised; an expired or otherwise ' +
  'invalid one is ignored (the caller is answered as anonymous) and the response carries ' +
  '`WWW-Authenticate: Bearer error="invalid_token"`.';

function decorateOperations(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as Operation[]) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      const mode = operation['x-auth'] ?? 'required';
      const tokenSchemes: Array<Record<string, string[]>> = [{ Bearer: [] }, { Token: [] }];
      operation.security =
        mode === 'public' ? [] : mode === 'optional' ? [{}, ...tokenSchemes] : tokenSchemes;

      const responses = operation.responses;
      if (mode === 'required')
        responses['401'] ??= errorResponse(401, 'Missing, invalid, expired or revoked token');
      if (mode === 'optional') {
        operation.description = [operation.description, OPTIONAL_TOKEN_NOTE]
          .filter(Boolean)
          .join('\n\n');
      }
      if (operation['x-roles'])
        responses['403'] ??= errorResponse(403, 'The caller lacks the required role');
      if (operation['x-owned']) {
        responses['403'] ??= errorResponse(403, 'The caller does not own the resource');
        responses['404'] ??= errorResponse(404, 'No such resource');
      }
      if (operation.requestBody || operation.parameters?.some((p) => p.in === 'query')) {
        responses['422'] ??= errorResponse(422, 'Validation failed; messages keyed by field');
      }
      if (operation.requestBody) responses['400'] ??= errorResponse(400, 'Malformed JSON body');
      responses['429'] ??= errorResponse(429, 'Rate limit exceeded');
      responses['500'] ??= errorResponse(
        500,
        'Unexpected error (details in the log, by request id)',
      );
    }
  }
}
