import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/app.config.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/** The limits a deployment gets without configuring any. */
const SHIPPED = loadConfig({}).rateLimit;
const ATTACKER_IP = '10.66.0.1';
const BYSTANDER_IP = '10.77.0.1';
const BURST = 150;

/** Milliseconds a request takes. */
async function timed(request: () => Promise<ApiResponse>): Promise<[number, ApiResponse]> {
  const started = performance.now();
  const response = await request();
  return [performance.now() - started, response];
}

/**
 * argon2 amplification: every password change costs ~50 ms of CPU, so a burst of them from one
 * client must not starve everyone else's logins. The shipped budgets (auth per address, changes
 * per account) stop the burst early, and argon2 work is bounded per process.
 */
describe('argon2 amplification', () => {
  let testApp: TestApp;
  let api: Api;
  let attacker: RegisteredUser;
  let bystander: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_AUTH_MAX: String(SHIPPED.authMax),
      RATE_LIMIT_ACCOUNT_CHANGE_MAX: String(SHIPPED.accountChangeMax),
      RATE_LIMIT_LOGIN_ADDRESS_MAX: String(SHIPPED.loginAddressMax),
      RATE_LIMIT_LOGIN_ACCOUNT_MAX: String(SHIPPED.loginAccountMax),
    });
    api = new Api(testApp.baseUrl);
    attacker = await registerUser(api, 'hasher', { 'x-forwarded-for': ATTACKER_IP });
    bystander = await registerUser(api, 'bystander', { 'x-forwarded-for': BYSTANDER_IP });
  });
  afterAll(() => testApp.close());

  const bystanderLogin = () =>
    api.post('/api/users/login', {
      body: { user: { email: bystander.email, password: bystander.password } },
      headers: { 'x-forwarded-for': BYSTANDER_IP },
    });

  it(`keeps a bystander's login responsive during a burst of ${BURST} password changes, and refuses the burst with 429`, async () => {
    const quiet: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const [ms, response] = await timed(bystanderLogin);
      expect(response.status).toBe(200);
      quiet.push(ms);
    }
    const baseline = Math.min(...quiet);

    let burstDone = false;
    const burst = Promise.all(
      Array.from({ length: BURST }, (_, index) =>
        api.put('/api/user', {
          token: attacker.token,
          body: { user: { password: `burst-password-${index}` } },
          headers: { 'x-forwarded-for': ATTACKER_IP },
        }),
      ),
    ).finally(() => {
      burstDone = true;
    });
    // The bystander logs in again and again while the burst is under way (at least twice).
    const underLoad: number[] = [];
    while (underLoad.length < 2 || (!burstDone && underLoad.length < 8)) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const [ms, response] = await timed(bystanderLogin);
      expect(response.status).toBe(200);
      underLoad.push(ms);
    }
    const statuses = (await burst).map((change) => change.status);
    const worst = Math.max(...underLoad);
    process.stdout.write(
      `argon2 burst: bystander login ${Math.round(baseline)} ms quiet, worst ${Math.round(worst)} ms of ${underLoad.length} during a burst of ${BURST} (${statuses.filter((status) => status === 429).length} refused)\n`,
    );

    // Generous: a loaded CI machine, a few admitted changes ahead in the queue.
    expect(worst).toBeLessThan(Math.max(2000, baseline * 10));
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(
      SHIPPED.accountChangeMax,
    );
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(
      BURST - SHIPPED.accountChangeMax,
    );
  });
});

describe('argon2 saturation', () => {
  let testApp: TestApp;
  let api: Api;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp({
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_MAX_WAIT_MS: '10',
    });
    api = new Api(testApp.baseUrl);
    user = await registerUser(api, 'crowded');
  });
  afterAll(() => testApp.close());

  it('answers 503 with Retry-After in the envelope when no hashing slot frees up in time', async () => {
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        api.post('/api/users/login', {
          body: { user: { email: user.email, password: user.password } },
        }),
      ),
    );
    const busy = responses.filter((response) => response.status === 503);
    expect(responses.filter((response) => response.status === 200).length).toBeGreaterThanOrEqual(
      1,
    );
    expect(busy.length).toBeGreaterThanOrEqual(1);
    for (const response of busy) {
      expectErrorEnvelope(response, 503, 'SERVICE_UNAVAILABLE');
      expect(response.headers.get('retry-after')).toBe('1');
    }
    expect(responses.every((response) => [200, 503].includes(response.status))).toBe(true);
  });
});
