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
