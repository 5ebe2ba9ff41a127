import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN_SECURITY = [{ Bearer: [] }, { Token: [] }];

/** The OpenAPI document at /docs-json (the UI at /docs is covered by the start-up suite). */
describe('OpenAPI document', () => {
  let testApp: TestApp;
  let document: any;

  beforeAll(async () => {
    testApp = await startTestApp();
    const response = await new Api(testApp.baseUrl).get('/docs-json');
    expect(response.status).toBe(200);
    document = response.body;
  });
  afterAll(() => testApp.close());

  it('is an OpenAPI 3 document', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe('Conduit Platform API');
  });

  it.each([
    ['post', '/api/users'],
    ['post', '/api/users/login'],
    ['get', '/api/user'],
    ['put', '/api/user'],
    ['post', '/api/auth/refresh'],
    ['post', '/api/auth/logout'],
    ['get', '/api/auth/sessions'],
    ['delete', '/api/auth/sessions/{id}'],
    ['get', '/api/users'],
    ['get', '/api/health'],
    ['get', '/api/health/ready'],
  ])('lists %s %s', (method, path) => {
    expect(document.paths[path]?.[method]).toBeDefined();
  });

  it('declares the Bearer and Token security schemes', () => {
    expect(document.components.securitySchemes).toMatchObject({
      Bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      Token: { type: 'apiKey', in: 'header', name: 'Authorization' },
    });
  });

  it.each([
    ['post', '/api/users'],
    ['post', '/api/users/login'],
    ['post', '/api/auth/refresh'],
    ['get', '/api/health'],
  ])('marks %s %s as public', (method, path) => {
    expect(document.paths[path][method].security).toEqual([]);
  });

  it.each([
    ['get', '/api/user'],
    ['put', '/api/user'],
    ['post', '/api/auth/logout'],
    ['get', '/api/auth/sessions'],
    ['delete', '/api/auth/sessions/{id}'],
    ['get', '/api/users'],
  ])('requires a token for %s %s and documents the 401', (method, path) => {
    const operation = document.paths[path][method];
    expect(operation.security).toEqual(TOKEN_SECURITY);
    expect(operation.responses['401'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ErrorEnvelope',
    );
  });

  it('lets @OptionalAuth operations be called with or without a token', () => {
    expect(document.paths['/api/profiles/{username}'].get.security).toEqual([
      {},
      ...TOKEN_SECURITY,
    ]);
  });

  it('documents that @OptionalAuth operations ignore an invalid token instead of answering 401', () => {
    const operation = document.paths['/api/articles/{slug}'].get;
    expect(operation.responses['401']).toBeUndefined();
    expect(operation.description).toContain('WWW-Authenticate: Bearer error="invalid_token"');
  });

  it('documents the admin role and its 403 on GET /api/users', () => {
    const operation = document.paths['/api/users'].get;
    expect(operation['x-roles']).toEqual(['admin']);
    expect(operation.responses['403']).toBeDefined();
    expect(operation.responses['422']).toBeDefined();
  });

  it('describes the error envelope', () => {
    expect(Object.keys(document.components.schemas.ErrorEnvelope.properties).sort()).toEqual([
      'code',
      'errors',
      'requestId',
      'status',
    ]);
  });

  it('gives every documented error an example of its own status and code', () => {
    const expectedCodes: Record<string, string> = {
      '400': 'MALFORMED_JSON',
      '401': 'UNAUTHORIZED',
      '403': 'FORBIDDEN',
      '404': 'NOT_FOUND',
      '422': 'VALIDATION_FAILED',
      '429': 'RATE_LIMITED',
      '500': 'INTERNAL_ERROR',
    };
    let checked = 0;
    for (const pathItem of Object.values<any>(document.paths)) {
      for (const operation of Object.values<any>(pathItem)) {
        for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
          const example = response.content?.['application/json']?.example;
          if (!(status in expectedCodes) || !example) continue;
          expect({ status, example: [example.status, example.code] }).toEqual({
            status,
            example: [Number(status), expectedCodes[status]],
          });
          checked += 1;
        }
      }
    }
    // Owned operations (e.g. DELETE /api/articles/{slug}) document their 403 and 404 too.
    expect(document.paths['/api/articles/{slug}'].delete.responses['404']).toBeDefined();
    expect(checked).toBeGreaterThan(50);
  });

  it('documents the request body of registration', () => {
    const body = document.paths['/api/users'].post.requestBody;
    expect(body.content['application/json'].schema.$ref).toBe('#/components/schemas/RegisterDto');
    expect(document.components.schemas.RegisterDto.properties.user).toBeDefined();
  });
});
