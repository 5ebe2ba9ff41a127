import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/http.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';
import { dialect } from '../support/test-database.js';
import { CALLERS, FuzzRunner } from './fuzz/runner.js';

/**
 * Property-based fuzzing over the app's own OpenAPI document (issue 7, item 2). CI sends
 * FUZZ_REQUESTS (default 1,000); `npm run fuzz` sends 10,000. FUZZ_SEED replays a run.
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_125);
const ADMIN = { email: 'fuzz-admin@example.com', password: 'Fuzz-admin-pw-W3sJ6yH0qd' };

describe(`fuzzing every documented operation (${REQUESTS} requests, seed ${SEED})`, () => {
  let testApp: TestApp;
  let runner: FuzzRunner;
  let elapsedMs = 0;

  beforeAll(async () => {
    testApp = await startTestApp({
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      BODY_LIMIT_BYTES: '65536',
    });
    const document = (await new Api(testApp.baseUrl).get('/docs-json')).body;
    runner = new FuzzRunner(
      { baseUrl: testApp.baseUrl, jwtSecret: TEST_JWT_SECRET, admin: ADMIN },
      document,
    );
    await runner.setup();
    const started = Date.now();
    await runner.run(REQUESTS, SEED);
    elapsedMs = Date.now() - started;
    console.log(
      `fuzz (${dialect}): ${REQUESTS} requests in ${(elapsedMs / 1000).toFixed(1)} s, seed ${SEED}, ` +
        `${runner.harnessRequests} harness requests, ${runner.relogins} re-logins, ` +
        `${runner.secrets.tokenCount} tokens watched\n${runner.summary()}`,
    );
  }, 3_600_000);
  afterAll(() => testApp?.close());

  it('walks a document whose path templates are all declared parameters', () => {
    expect(runner.operations.length).toBeGreaterThan(20);
    expect(
      runner.operations.filter((operation) => operation.undeclaredPathParams.length > 0),
    ).toEqual([]);
  });

  it('sends every operation as every kind of caller', () => {
    const missing = runner.operations.flatMap((operation) =>
      CALLERS.filter((caller) => !runner.stats.get(operation.key)?.callers.has(caller)).map(
        (caller) => `${operation.key} as ${caller}`,
      ),
    );
    expect(missing).toEqual([]);
  });

  /** Operations whose success needs a secret the fuzzer never sees, with where it is tested. */
  const SUCCESS_OUT_OF_REACH: Record<string, string> = {
    'POST /api/auth/email/verify': 'needs the token of a mailed link (test/e2e/account-lifecycle)',
    'POST /api/auth/password/reset':
      'needs the token of a mailed link (test/e2e/account-lifecycle)',
  };

  it('gets past validation and authorization on every operation at least once', () => {
    const neverSucceeded = runner.operations
      .filter((operation) => !(operation.key in SUCCESS_OUT_OF_REACH))
      .filter((operation) => {
        const statuses = [...(runner.stats.get(operation.key)?.statuses.keys() ?? [])];
        return !statuses.some((status) => status >= 200 && status < 300);
      })
      .map((operation) => operation.key);
    expect(neverSucceeded).toEqual([]);
  });

  it('answers every request without a 5xx, with the envelope on errors, echoing no secret', () => {
    const report = runner.problems
      .slice(0, 25)
      .map(
        (problem) =>
          `${problem.operation} as ${problem.caller} → ${problem.status}: ${problem.problems.join('; ')}\n    ${problem.request}`,
      );
    expect({ problems: runner.problems.length, first: report }).toEqual({ problems: 0, first: [] });
  });
});
