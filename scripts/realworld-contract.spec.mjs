import { describe, expect, it } from '@jest/globals';
import { basePath, compareWithRealWorld } from './realworld-contract.mjs';

/** A small RealWorld-like contract: login, a profile lookup and a list with a nested item. */
const theirs = {
  servers: [{ url: 'https://api.realworld.show/api' }],
  paths: {
    '/users/login': {
      post: {
        requestBody: { $ref: '#/components/requestBodies/Login' },
        responses: { 200: { $ref: '#/components/responses/User' } },
      },
    },
    '/profiles/{username}': {
      get: {
        parameters: [{ name: 'username', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'ok' } },
      },
    },
    '/articles': {
      get: {
        parameters: [{ $ref: '#/components/parameters/limit' }],
        responses: {
          200: {
            description: 'list',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['articles'],
                  properties: {
                    articles: {
                      type: 'array',
                      items: { type: 'object', required: ['slug'], properties: { slug: {} } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  components: {
    parameters: { limit: { name: 'limit', in: 'query', required: false } },
    requestBodies: {
      Login: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['user'],
              properties: { user: { $ref: '#/components/schemas/LoginUser' } },
            },
          },
        },
      },
    },
    responses: {
      User: {
        description: 'user',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['user'],
              properties: {
                user: {
                  type: 'object',
                  required: ['email', 'token'],
                  properties: { email: {}, token: {} },
                },
              },
            },
          },
        },
      },
    },
    schemas: {
      LoginUser: {
        type: 'object',
        required: ['email', 'password'],
        properties: { email: {}, password: {} },
      },
    },
  },
};

/** Ours: the same contract written the way @nestjs/swagger does (server '/', /api in paths). */
function conforming() {
  return {
    servers: [{ url: '/' }],
    paths: {
      '/api/users/login': {
        post: {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/LoginDto' } } },
          },
          responses: {
            200: {
              description: '',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/UserResponse' } },
              },
            },
          },
        },
      },
      '/api/profiles/{username}': {
        get: {
          parameters: [{ name: 'username', in: 'path', required: true }],
          responses: { 200: { description: '' } },
        },
      },
      '/api/articles': {
        get: {
          parameters: [{ name: 'offset', in: 'query', required: false }],
          responses: {
            200: {
              description: '',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['articles', 'articlesCount'],
                    properties: {
                      articles: { type: 'array', items: { $ref: '#/components/schemas/Article' } },
                      articlesCount: { type: 'integer' },
                    },
                  },
                },
              },
            },
          },
        },
        post: { responses: { 201: { description: '' } } },
      },
    },
    components: {
      schemas: {
        LoginDto: {
          type: 'object',
          required: ['user'],
          properties: { user: { $ref: '#/components/schemas/LoginFields' } },
        },
        LoginFields: {
          type: 'object',
          required: ['email', 'password'],
          properties: { email: {}, password: {} },
        },
        UserResponse: {
          type: 'object',
          required: ['user'],
          properties: { user: { $ref: '#/components/schemas/UserView' } },
        },
        UserView: {
          allOf: [{ $ref: '#/components/schemas/Base' }],
          type: 'object',
          required: ['token', 'refreshToken'],
          properties: { token: {}, refreshToken: {} },
        },
        Base: { type: 'object', required: ['email'], properties: { email: {} } },
        Article: { type: 'object', required: ['slug'], properties: { slug: {}, title: {} } },
      },
    },
  };
}

const problemsOf = (ours) =>
  compareWithRealWorld(theirs, ours).flatMap(({ method, path, problems }) =>
    problems.map((problem) => `${method} ${path}: ${problem}`),
  );

describe('RealWorld contract comparison', () => {
  it('finds nothing wrong with a document that keeps the contract (and adds to it)', () => {
    const results = compareWithRealWorld(theirs, conforming());
    expect(results.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'POST /api/users/login',
      'GET /api/profiles/{username}',
      'GET /api/articles',
    ]);
    expect(problemsOf(conforming())).toEqual([]);
  });

  it('takes the base path from the first server URL, absolute or relative', () => {
    expect(basePath(theirs)).toBe('/api');
    expect(basePath({ servers: [{ url: '/' }] })).toBe('');
    expect(basePath({ servers: [{ url: '/api/' }] })).toBe('/api');
    expect(basePath({})).toBe('');
  });

  it('reports an operation missing when the base paths do not add up', () => {
    const ours = conforming();
    ours.servers = [{ url: '/v2' }];
    expect(problemsOf(ours)).toEqual([
      'POST /api/users/login: operation is missing',
      'GET /api/profiles/{username}: operation is missing',
      'GET /api/articles: operation is missing',
    ]);
  });

  it('reports a method missing on an existing path', () => {
    const ours = conforming();
    ours.paths['/api/users/login'] = { put: ours.paths['/api/users/login'].post };
    expect(problemsOf(ours)).toEqual(['POST /api/users/login: operation is missing']);
  });

  it('matches path templates whatever the parameter names, but wants the required parameter', () => {
    const ours = conforming();
    ours.paths['/api/profiles/{name}'] = {
      get: {
        parameters: [{ name: 'name', in: 'path', required: true }],
        responses: { 200: { description: '' } },
      },
    };
    delete ours.paths['/api/profiles/{username}'];
    expect(problemsOf(ours)).toEqual([
      'GET /api/profiles/{username}: path parameter "username" is missing',
    ]);
  });

  it('reports a required request-body property that is optional here', () => {
    const ours = conforming();
    ours.components.schemas.LoginFields.required = ['email'];
    expect(problemsOf(ours)).toEqual([
      'POST /api/users/login: request body.user: property "password" is required by RealWorld but optional here',
    ]);
  });

  it('reports an optional request body and a missing wrapper property', () => {
    const ours = conforming();
    ours.paths['/api/users/login'].post.requestBody.required = false;
    ours.components.schemas.LoginDto = { type: 'object', properties: {} };
    expect(problemsOf(ours)).toEqual([
      'POST /api/users/login: request body is not required',
      'POST /api/users/login: request body: property "user" is missing',
    ]);
  });

  it('sees response properties required through allOf, and reports one that is not', () => {
    const ours = conforming();
    ours.components.schemas.Base.required = [];
    expect(problemsOf(ours)).toEqual([
      'POST /api/users/login: response 200.user: property "email" is required by RealWorld but optional here',
    ]);
  });

  it('checks array items of a success response', () => {
    const ours = conforming();
    ours.components.schemas.Article.required = ['title'];
    expect(problemsOf(ours)).toEqual([
      'GET /api/articles: response 200.articles[]: property "slug" is required by RealWorld but optional here',
    ]);
  });

  it('reports a success status RealWorld declares that is not declared here', () => {
    const ours = conforming();
    const login = ours.paths['/api/users/login'].post;
    login.responses = { 201: login.responses[200] };
    expect(problemsOf(ours)).toEqual([
      'POST /api/users/login: response 200 is missing (declared: 201)',
    ]);
  });

  it('fails loudly on a $ref it cannot follow', () => {
    const ours = conforming();
    ours.components.schemas.LoginDto = { $ref: '#/components/schemas/Nowhere' };
    expect(() => compareWithRealWorld(theirs, ours)).toThrow('dangling $ref');
  });
});
