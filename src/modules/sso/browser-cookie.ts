import type { FastifyReply, FastifyRequest } from 'fastify';

/** Cookie binding a pending login to the browser that started it (login CSRF protection). */
export const BROWSER_COOKIE = 'conduit_oidc';
const COOKIE_PATH = '/api/auth/oidc';

/** The binding value from the request's cookies, if present and well-formed. */
export function readBrowserCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (name === BROWSER_COOKIE && /^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

/**
 * Sets the binding cookie: HttpOnly, SameSite=Lax (the provider's redirect back is a
 * top-level GET, which Lax cookies accompany), Secure over https, scoped to the OIDC routes.
 */
export function setBrowserCookie(
  reply: FastifyReply,
  value: string,
  maxAgeSeconds: number,
  secure: boolean,
): void {
  const attributes = [
    `${BROWSER_COOKIE}=${value}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (secure) attributes.push('Secure');
  reply.header('set-cookie', attributes.join('; '));
}
