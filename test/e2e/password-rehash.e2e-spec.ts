import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { Api } from '../support/http.js';
import { dialect } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, registerUser } from '../support/users.js';

/**
 * The argon2 parameters changed (19 MiB × 2 → 7 MiB × 5): accounts hashed before keep logging
 * in, and their next login stores a hash with the current parameters. That is not a password
 * change: the account's other sessions stay valid and `updatedAt` does not move.
 */
describe('password hashes made with earlier argon2 parameters', () => {
  let testApp: TestApp;
  let api: Api;
  const p = (index: number) => (dialect === 'postgres' ? `$${index}` : '?');

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
  });
  afterAll(() => testApp.close());

  const storedOf = async (id: number) => {
    const [row] = await testApp.dataSource.query(
      `SELECT password_hash, updated_at FROM users WHERE id = ${p(1)}`,
      [id],
    );
    return { hash: row.password_hash as string, updatedAt: String(row.updated_at) };
  };

  it('are upgraded at the next successful login, and only then', async () => {
    const user = await registerUser(api, 'rehash');
    const earlier = await argon2.hash(user.password, {
      type: argon2.argon2id,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
    await testApp.dataSource.query(`UPDATE users SET password_hash = ${p(1)} WHERE id = ${p(2)}`, [
      earlier,
      user.id,
    ]);
    const before = await storedOf(user.id);

    expect((await login(api, user.email, `${user.password}x`)).status).toBe(401);
    expect((await storedOf(user.id)).hash).toBe(earlier);

    expect((await login(api, user.email, user.password)).status).toBe(200);
    const after = await storedOf(user.id);
    expect(after.hash).toMatch(/^\$argon2id\$v=19\$m=7168,p=1,t=5\$/);
    expect(after.updatedAt).toBe(before.updatedAt);
    // The session opened at registration is still good, and the new hash logs in.
    expect((await api.get('/api/user', { token: user.token })).status).toBe(200);
    expect((await login(api, user.email, user.password)).status).toBe(200);
    expect((await storedOf(user.id)).hash).toBe(after.hash);
  });
});
