import { describe, expect, it } from '@jest/globals';
import { listOperations } from './openapi.js';

const document = {
  paths: {
    '/api/articles/{slug}/comments/{id}': {
      delete: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        security: [{ Token: [] }],
      },
    },
    '/api/users': {
      get: {
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } }],
        security: [{ Token: [] }],
        'x-roles': ['admin'],
      },
      post: {
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Register' } } },
        },
        security: [],
      },
    },
    '/api/profiles/{username}': {
      get: { parameters: [{ name: 'username', in: 'path' }], security: [{}, { Token: [] }] },
    },
  },
  components: {
    schemas: {
      Register: {
        type: 'object',
        properties: { user: { $ref: '#/components/schemas/Fields' } },
        required: ['user'],
      },
      Fields: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
    },
  },
};

describe('listOperations', () => {
  const operations = listOperations(document);
  const byKey = (key: string) => operations.find((operation) => operation.key === key)!;

  it('lists one operation per path and method', () => {
    expect(operations.map((operation) => operation.key)).toEqual([
      'DELETE /api/articles/{slug}/comments/{id}',
      'GET /api/users',
      'POST /api/users',
      'GET /api/profiles/{username}',
    ]);
  });

  it('reports path template variables the document does not declare', () => {
    expect(byKey('DELETE /api/articles/{slug}/comments/{id}')).toMatchObject({
      pathParams: ['slug', 'id'],
      undeclaredPathParams: ['slug'],
    });
    expect(byKey('GET /api/profiles/{username}').undeclaredPathParams).toEqual([]);
  });

  it('resolves $refs in request bodies', () => {
    expect(byKey('POST /api/users').body).toEqual({
      type: 'object',
      properties: {
        user: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
      },
      required: ['user'],
    });
  });

  it('reads public, optional and required access and the roles', () => {
    expect(byKey('POST /api/users').access).toBe('public');
    expect(byKey('GET /api/profiles/{username}').access).toBe('optional');
    expect(byKey('GET /api/users')).toMatchObject({ access: 'required', roles: ['admin'] });
    expect(byKey('GET /api/users').query).toEqual([
      { name: 'limit', required: false, schema: { type: 'integer', minimum: 1 } },
    ]);
  });
});
