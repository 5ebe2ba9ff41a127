/**
 * Log paths whose values are replaced by "[redacted]": credentials in headers and any
 * password/token field at the first levels of a logged object.
 */
const SECRET_FIELDS = ['password', 'passwordHash', 'token', 'refreshToken', 'accessToken'];

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]),
];

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
  const withoutJwts = url.replace(JWT_PATTERN, '[redacted]');
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
      return SECRET_QUERY_PARAMETER.test(name) ? `${pair.slice(0, separator)}=[redacted]` : pair;
    })
    .join('&');
  return `${withoutJwts.slice(0, queryStart)}?${query}`;
}
