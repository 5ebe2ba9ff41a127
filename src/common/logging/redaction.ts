/**
 * All redaction of logged data lives in this module: pure functions, so every logging path
 * (the per-request line, the router-rejection log, application log lines) applies the same
 * rules.
 *
 * Application log lines (errors, warnings: objects of any shape) go through pino's redaction of
 * {@link REDACTED_PATHS}. The per-request line is built already redacted ({@link redactUrl},
 * {@link redactHeaders}), so the hot path never walks wildcard paths.
 */

/** Text that replaces every redacted value. */
export const REDACTED = '[redacted]';

/**
 * Log paths whose values are replaced by "[redacted]": any password/token field at the first
 * levels of a logged object. Headers are handled by {@link redactHeaders}.
 */
const SECRET_FIELDS = ['password', 'passwordHash', 'token', 'refreshToken', 'accessToken'];

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers.referer',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]),
];

/**
 * Header names whose values are credentials or may carry them: `authorization`,
 * `proxy-authorization`, cookies, anything naming a token, secret, key, auth or session
 * (`x-api-key`, `x-auth-token`, `x-session-id`…), and the referer, whose URL may hold a token
 * of another site or a reset link.
 */
const SECRET_HEADER_NAME = /token|secret|key|auth|session|cookie|^referr?er$/i;

/** True when a header of that name is logged as "[redacted]" whatever its value. */
export function isSecretHeaderName(name: string): boolean {
  return SECRET_HEADER_NAME.test(name);
}

/** Query parameters whose values are credentials, whatever their exact spelling. */
const SECRET_QUERY_PARAMETER =
  /pass|token|secret|jwt|session|api[-_]?key|^(key|auth|authorization|sid|code|signature)$/i;

/**
 * A run of URL-safe token characters, each either literal or percent-encoded once or twice
 * (`%2E` or `%252E` for `.`, `%2D`, `%5F`, encoded letters and digits), so an encoded token is
 * one run like a plain one.
 */
const TOKEN_RUN =
  /(?:[A-Za-z0-9_.-]|%(?:25)?(?:2[dDeE]|3[0-9]|4[1-9a-fA-F]|5[0-9aAfF]|6[1-9a-fA-F]|7[0-9aA]))+/g;
/** A JWT: three base64url parts, the first a JSON header (`eyJ` is `{"` in base64url). */
const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]*/;
/**
 * A refresh token: 32 random bytes in base64url, 43 characters. Random ones all but always
 * mix upper and lower case (the odds of not doing so are about 1 in 10^9), which slugs and
 * most words do not, so requiring both keeps ordinary 43-character values readable. HS256
 * signatures have the same shape, so a JWT's signature alone is caught too.
 */
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

function looksSecret(decodedRun: string): boolean {
  if (JWT.test(decodedRun)) return true;
  return decodedRun
    .split('.')
    .some((part) => REFRESH_TOKEN.test(part) && /[A-Z]/.test(part) && /[a-z]/.test(part));
}

/**
 * What any text that {@link looksSecret} could flag contains: a percent escape, the `eyJ` every
 * JWT starts with, or 43 base64url characters in a row. Most logged values (user agents,
 * languages, hosts) have none, and skip the run-by-run scan (13 µs for a browser's headers).
 */
const MAY_HOLD_SECRET = /%|eyJ|[A-Za-z0-9_-]{43}/;

/**
 * `text` with every JWT-shaped or refresh-token-shaped value replaced by "[redacted]", in
 * plain or percent-encoded form (the whole run of token characters that holds it goes).
 */
export function redactSecrets(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text.replace(TOKEN_RUN, (run) => {
    const decoded = run.includes('%')
      ? run.replace(/%(?:25)?([0-9a-fA-F]{2})/g, (_escape, hex: string) =>
          String.fromCharCode(parseInt(hex, 16)),
        )
      : run;
    return looksSecret(decoded) ? REDACTED : run;
  });
}

/**
 * The request URL as it may be logged: clients sometimes put a token or password in the URL
 * (`?access_token=…`, `/profiles/<jwt>`), and a logged URL would keep it for good. Values of
 * credential-like query parameters and anything shaped like a JWT or a refresh token (also
 * percent-encoded) become "[redacted]".
 */
export function redactUrl(url: string): string {
  const withoutTokens = redactSecrets(url);
  const queryStart = withoutTokens.indexOf('?');
  if (queryStart === -1) return withoutTokens;
  const query = withoutTokens
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
  return `${withoutTokens.slice(0, queryStart)}?${query}`;
}

/**
 * Request headers written to the request log (after {@link redactSecrets}). Every other header
 * is logged by name with "[redacted]" as its value: an allow-list, so a credential in a header
 * we have never heard of (`x-auth-token`, a proxy's session header) cannot reach the log. The
 * referer is not on it: its URL may hold another site's token or a reset link.
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
  'user-agent',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-real-ip',
  'x-request-id',
]);

/**
 * The request headers as the request log shows them: allow-listed headers with JWT- and
 * refresh-token-shaped values cut out (the origin through {@link redactUrl}), every other
 * header, and any secret-named one (see {@link isSecretHeaderName}), "[redacted]". Returns a new
 * object; the request's own headers are left untouched.
 */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const logged: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!LOGGED_HEADERS.has(name) || isSecretHeaderName(name)) {
      logged[name] = REDACTED;
      continue;
    }
    const text = typeof value === 'string' ? value : value.join(', ');
    logged[name] = name === 'origin' ? redactUrl(text) : redactSecrets(text);
  }
  return logged;
}
