/**
 * All redaction of logged data lives in this module.
 *
 * Application log lines (errors, warnings: objects of any shape) go through pino's redaction of
 * these paths: credentials in headers and any password/token field at the first levels of a
 * logged object. The per-request line is built already redacted ({@link redactUrl},
 * {@link redactHeaders}), so the hot path never walks wildcard paths.
 */
const SECRET_FIELDS = ['password', 'passwordHash', 'token', 'refreshToken', 'accessToken'];

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]),
];

const REDACTED = '[redacted]';

/** Query parameters whose values are credentials, whatever their exact spelling. */
const SECRET_QUERY_PARAMETER =
  /pass|token|secret|jwt|session|api[-_]?key|^(key|auth|authorization|sid|code|signature)$/i;
/** A JWT (three base64url parts, the first a JSON header) anywhere in a string. */
const JWT_PATTERN = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g;

/**
 * The request URL as it may be logged: clients sometimes put a token or password in the URL
 * (`?access_token=…`, `/profiles/<jwt>`), and a logged URL would keep it for good. Values of
 * credential-like query parameters and anything shaped like a JWT become "[redacted]".
 */
export function redactUrl(url: string): string {
  const withoutJwts = url.includes('eyJ') ? url.replace(JWT_PATTERN, REDACTED) : url;
  const queryStart = withoutJwts.indexOf('?');
  if (queryStart === -1) return withoutJwts;
  const query = withoutJwts
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const separator = pair.indexOf('=');
      if (separator === -1) return pair;
      let name = pair.slice(0, separator);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the name as it is.
      }
      return SECRET_QUERY_PARAMETER.test(name) ? `${pair.slice(0, separator)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${withoutJwts.slice(0, queryStart)}?${query}`;
}

/**
 * Request headers written to the request log as they are. Every other header is logged by name
 * with "[redacted]" as its value: an allow-list, so a credential in a header we have never
 * heard of (`x-auth-token`, a proxy's session header) cannot reach the log.
 */
const LOGGED_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'host',
  'if-none-match',
  'origin',
  'referer',
  'user-agent',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-real-ip',
  'x-request-id',
]);
/** Logged headers that carry a URL, which may hold a credential of its own. */
const URL_HEADERS = new Set(['origin', 'referer']);

/**
 * The request headers as the request log shows them: allow-listed headers verbatim (URLs
 * through {@link redactUrl}, JWT-shaped values hidden), every other header "[redacted]".
 */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const logged: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!LOGGED_HEADERS.has(name)) {
      logged[name] = REDACTED;
      continue;
    }
    const text = typeof value === 'string' ? value : value.join(', ');
    logged[name] = URL_HEADERS.has(name) ? redactUrl(text) : text.replace(JWT_PATTERN, REDACTED);
  }
  return logged;
}
