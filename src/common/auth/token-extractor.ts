/**
 * Reads the access token from `Authorization: Token <jwt>` (RealWorld) or `Bearer <jwt>`.
 * Returns null for a missing header or any other scheme.
 */
export function extractAccessToken(authorization: string | string[] | undefined): string | null {
  if (typeof authorization !== 'string') return null;
  const match = /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(authorization.trim());
  return match ? match[1] : null;
}
