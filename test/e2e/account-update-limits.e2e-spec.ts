import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser as register, type RegisteredUser } from '../support/users.js';

const newClientIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/** Registers from an address of its own, so registrations spend no budget a test counts. */
const registerUser = (api: Api, prefix: string) =>
  register(api, prefix, { 'x-forwarded-for': newClientIp() });

/**
 * PUT /api/user as an email oracle: identity changes are budgeted like credential endpoints,
 * and a conflict answer reveals no more than registration does.
 */
describe('PUT /api/user identity changes: conflicts and budgets', () => {
  const AUTH_MAX = 4;
  const CHANGE_MAX = 3;
  let testApp: TestApp;
  let api: Api;
  let known: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_AUTH_MAX: String(AUTH_MAX),
      RATE_LIMIT_ACCOUNT_CHANGE_MAX: String(CHANGE_MAX),
    });
    api = new Api(testApp.baseUrl);
    known = await registerUser(api, 'known');
  });
  afterAll(() => testApp.close());

  const updateFrom = (ip: string, token: string, user: Record<string, unknown>) =>
    api.put('/api/user', { token, body: { user }, headers: { 'x-forwarded-for': ip } });

  it('answers the same conflict for a registered and an unregistered probe email paired with a taken username', async () => {
    const prober = await registerUser(api, 'prober');
    const registered = await updateFrom(newClientIp(), prober.token, {
      email: known.email,
      username: known.username,
    });
    const unregistered = await updateFrom(newClientIp(), prober.token, {
      email: 'nobody-here@example.com',
      username: known.username,
    });
    expect(expectErrorEnvelope(registered, 409, 'CONFLICT')).toEqual({
      username: ['has already been taken'],
    });
    expect(expectErrorEnvelope(unregistered, 409, 'CONFLICT')).toEqual(
      expectErrorEnvelope(registered, 409, 'CONFLICT'),
    );
  });

  it('counts identity changes against the address auth budget shared with login', async () => {
    const prober = await registerUser(api, 'sprayer');
    const ip = newClientIp();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < AUTH_MAX; attempt += 1) {
      const other = await registerUser(api, 'bystander');
      // Fresh prober per attempt, so only the address budget can run out.
      const probe = await registerUser(api, 'probe');
      statuses.push((await updateFrom(ip, probe.token, { email: other.email })).status);
    }
    expect(statuses).toEqual(Array(AUTH_MAX).fill(409));
    const limited = await updateFrom(ip, prober.token, { email: 'next-probe@example.com' });
    expectErrorEnvelope(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const loginFromSameAddress = await api.post('/api/users/login', {
      body: { user: { email: prober.email, password: prober.password } },
      headers: { 'x-forwarded-for': ip },
    });
    expect(loginFromSameAddress.status).toBe(429);
    // Changes that touch no identity field keep the ordinary budget.
    expect((await updateFrom(ip, prober.token, { bio: 'just a bio' })).status).toBe(200);
  });

  it('limits identity changes per account, whatever the address', async () => {
    const user = await registerUser(api, 'renamer');
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= CHANGE_MAX; attempt += 1) {
      const response = await updateFrom(newClientIp(), user.token, {
        username: `${user.username}_${attempt}`,
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array(CHANGE_MAX).fill(200), 429]);
    // Sending the current values back is no identity change.
    const current = (await api.get('/api/user', { token: user.token })).body.user;
    const unchanged = await updateFrom(newClientIp(), user.token, {
      email: current.email,
      username: current.username,
      bio: 'unchanged identity',
    });
    expect(unchanged.status).toBe(200);
  });
});
