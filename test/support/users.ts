import { randomBytes } from 'node:crypto';
import type { Api, ApiResponse } from './http.js';
import { decodeClaims } from './tokens.js';

export interface RegisteredUser {
  id: number;
  email: string;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** Fresh, unique registration fields (not sent anywhere). */
export function newCredentials(prefix = 'user') {
  const suffix = randomBytes(4).toString('hex');
  return {
    email: `${prefix}-${suffix}@example.com`,
    username: `${prefix}_${suffix}`,
    password: 'password123',
  };
}

/**
 * Registers a user with unique credentials and returns them with its tokens and id. `headers`
 * go with the request (e.g. `x-forwarded-for` to register from another client address).
 */
export async function registerUser(
  api: Api,
  prefix = 'user',
  headers?: Record<string, string>,
): Promise<RegisteredUser> {
  const credentials = newCredentials(prefix);
  const response = await api.post('/api/users', { body: { user: credentials }, headers });
  if (response.status !== 201)
    throw new Error(`registration failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    ...credentials,
    id: Number(decodeClaims(response.body.user.token).sub),
    token: response.body.user.token,
    refreshToken: response.body.user.refreshToken,
  };
}

/** POST /api/users/login; returns the raw response (status 200 on success). */
export function login(api: Api, email: string, password: string): Promise<ApiResponse> {
  return api.post('/api/users/login', { body: { user: { email, password } } });
}

/** Logs in and returns the new session's tokens; throws unless the login succeeds. */
export async function loginTokens(
  api: Api,
  email: string,
  password: string,
): Promise<{ token: string; refreshToken: string }> {
  const response = await login(api, email, password);
  if (response.status !== 200)
    throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { token: response.body.user.token, refreshToken: response.body.user.refreshToken };
}
