import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** What the API sends: a JSON API (nothing framed or sniffed) plus Swagger UI's page at /docs. */
const HELMET_OPTIONS: HelmetOptions = {
  // The CSP only matters for Swagger UI's page. Its initialiser is a file (swagger-ui-init.js),
  // so scripts need no 'unsafe-inline'; its styles do.
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'https:'],
      // Same rule as X-Frame-Options: DENY (helmet's default would allow same-origin framing).
      frameAncestors: ["'none'"],
      // Would send the UI's own assets to https:// when it is opened over plain HTTP (local runs).
      upgradeInsecureRequests: null,
    },
  },
  // A public API is read cross-origin by browsers (CORS decides who); CORP must not block it.
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  crossOriginEmbedderPolicy: false,
  referrerPolicy: { policy: 'no-referrer' },
  frameguard: { action: 'deny' },
};

/**
 * Runs helmet once against a recording response and returns the headers it would set. With no
 * per-request directives (nonces) helmet's output depends only on its options, so rebuilding
 * it for every request, as @fastify/helmet does, was a quarter of a health check's CPU time.
 */
export function computeSecurityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    failure = error;
  });
  if (failure) throw failure;
  return headers;
}

/** Headers every response carries (set by an onRequest hook in app.factory.ts). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze(
  computeSecurityHeaders(HELMET_OPTIONS),
);

/**
 * For errors the router answers before any hook runs (bad percent-encoding, over-long
 * segments): the same headers with a CSP that allows nothing, as the body is JSON.
 */
export const ROUTER_ERROR_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...SECURITY_HEADERS,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
});
