import { randomBytes } from 'node:crypto';
import type { Api } from './http.js';

export interface RegisteredUser {
  id?: number;
  email: string;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** Registers a user with unique credentials and returns them with its tokens. */
export async function registerUser(api: Api, prefix = 'user'): Promise<RegisteredUser> {
  const suffix = randomBytes(4).toString('hex');
  const credentials = {
    email: `${prefix}-${suffix}@example.com`,
    username: `${prefix}_${suffix}`,
    password: 'password123',
  };
  const response = await api.post('/api/users', { body: { user: credentials } });
  if (response.status !== 201)
    throw new Error(`registration failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    ...credentials,
    token: response.body.user.token,
    refreshToken: response.body.user.refreshToken,
  };
}
