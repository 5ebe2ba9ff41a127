import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Routes deliberately absent from the OpenAPI document, each with its reason. Anything else
 * the server answers must be documented: there are no hidden endpoints.
 */
const UNDOCUMENTED_ROUTES: Record<string, string> = {
  // The document itself (and its YAML twin): it cannot describe its own URL usefully.
  'GET /docs-json': 'serves the OpenAPI document',
  'GET /docs-yaml': 'serves the OpenAPI document as YAML',
  // Operations, not API: Prometheus scraping outside /api, off without METRICS_TOKEN and
  // protected by it (docs/observability in the README).
  'GET /metrics': 'Prometheus scrape endpoint for operators',
  // CORS preflight for every path, answered by @fastify/cors.
  'OPTIONS *': 'CORS preflight',
};

/**
 * The running server's routes as `METHOD /path` with OpenAPI-style `{param}`s, read from
 * Fastify's route tree. HEAD routes are Fastify's automatic twins of GET routes (same handler,
 * no body) and are checked as such rather than listed.
 */
function registeredRoutes(tree: string): { routes: string[]; heads: string[] } {
  const routes: string[] = [];
  const heads: string[] = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    const path = (prefixes[depth - 1] ?? '') + match[2];
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) {
      const route = `${method} ${path.replace(/:(\w+)/g, '{$1}')}`;
      (method === 'HEAD' ? heads : routes).push(route);
    }
  }
  return { routes, heads };
}

/**
 * OWASP API9:2023 Improper Inventory Management: the OpenAPI document is the complete and
 * exact inventory of the API, there are no older versions or debug copies still answering,
 * and the document's security matches what the server enforces.
 */
describe('API9:2023 improper inventory management', () => {
  let testApp: TestApp;
  let api: Api;
  let routes: string[];
  let heads: string[];
  let documented: string[];

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    const fastify = testApp.app.getHttpAdapter().getInstance();
    ({ routes, heads } = registeredRoutes(fastify.printRoutes({ commonPrefix: false })));
    const document = (await api.get('/docs-json')).body;
    documented = Object.entries(document.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
  });
  afterAll(() => testApp.close());

  it('reads a plausible route table from the server (control)', () => {
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /api/users/login',
        'DELETE /api/articles/{slug}/comments/{id}',
        'GET /metrics',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(25);
  });

  it('documents every registered route, apart from the reasoned allowlist', () => {
    const hidden = routes.filter((route) => !documented.includes(route));
    expect(hidden.sort()).toEqual(Object.keys(UNDOCUMENTED_ROUTES).sort());
  });

  it('documents no route that the server does not have', () => {
    expect(documented.filter((route) => !routes.includes(route))).toEqual([]);
  });

  it('has a HEAD route only as the twin of a GET route', () => {
    expect(heads.filter((head) => !routes.includes(head.replace(/^HEAD/, 'GET')))).toEqual([]);
  });

  it.each([
    '/api/v1/articles',
    '/api/v2/articles',
    '/v1/api/articles',
    '/api/internal/users',
    '/api/admin/users',
    '/api/test',
    '/api/articles.json',
    '/docs/swagger.json',
    '/openapi.json',
  ])('serves no older, internal or alternate copy at %s', async (path) => {
    expectErrorEnvelope(await api.get(path), 404, 'ROUTE_NOT_FOUND');
  });
});
