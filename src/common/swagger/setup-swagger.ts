import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorEnvelope } from '../errors/error-envelope.js';

const ERROR_REF = { $ref: '#/components/schemas/ErrorEnvelope' };
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ERROR_REF } },
});

type Operation = {
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
 */
export function setupSwagger(app: INestApplication, options: { ui: boolean }): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Conduit Platform API')
    .setDescription(
      'RealWorld-compatible API. Authenticate with `Authorization: Token <jwt>` or `Bearer <jwt>`. ' +
        'Every error uses the ErrorEnvelope shape: `{ errors: { field: [messages] }, code, status, requestId }`.',
    )
    .setVersion('1.0')
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
  SwaggerModule.setup('docs', app, () => document, {
    jsonDocumentUrl: 'docs-json',
    swaggerUiEnabled: options.ui,
  });
  return document;
}

function decorateOperations(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as Operation[]) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      const mode = operation['x-auth'] ?? 'required';
      const tokenSchemes: Array<Record<string, string[]>> = [{ Bearer: [] }, { Token: [] }];
      operation.security =
        mode === 'public' ? [] : mode === 'optional' ? [{}, ...tokenSchemes] : tokenSchemes;

      const responses = operation.responses;
      if (mode !== 'public')
        responses['401'] ??= errorResponse('Missing, invalid, expired or revoked token');
      if (operation['x-roles'])
        responses['403'] ??= errorResponse('The caller lacks the required role');
      if (operation.requestBody || operation.parameters?.some((p) => p.in === 'query')) {
        responses['422'] ??= errorResponse('Validation failed; messages keyed by field');
      }
      if (operation.requestBody) responses['400'] ??= errorResponse('Malformed JSON body');
      responses['429'] ??= errorResponse('Rate limit exceeded');
      responses['500'] ??= errorResponse('Unexpected error (details in the log, by request id)');
    }
  }
}
