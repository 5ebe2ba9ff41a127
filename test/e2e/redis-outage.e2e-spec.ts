import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle } from '../support/articles.js';
import { Api } from '../support/http.js';
import { countQueries } from '../support/query-counter.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { startTestCluster, TEST_REDIS_URL, type TestCluster } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

/** Long enough that a request which waited for Redis stands out from any normal one. */
const COMMAND_TIMEOUT_MS = 1000;
const SAMPLES = 60;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const round = (value: number) => Math.round(value * 10) / 10;

/**
 * Redis unreachable behind a TCP proxy, in the two ways a network fails: connections cut (the
 * client sees them close and reconnects) and frozen (bytes stop, nothing is closed, so the
 * connection still looks up). After the first failures a circuit breaker skips Redis: rate
 * limits fail open, the cache reads the database, and requests are not slowed (before, every
 * request waited one command timeout, about 0.5 s). A background probe ends the skipping once
 * Redis answers again.
 *
 * Three instances share the database and Redis: `healthy` reaches Redis directly, `faulted`
 * through the proxy, and `databaseOnly` has no cache (CACHE_TTL_SECONDS=0), which is what a
 * cached read falls back to. Their requests are interleaved, so the machine's load (other test
 * files) weighs on all alike: a route without cache must cost on `faulted` what it costs on
 * `healthy`, a cached route what a database read costs on `databaseOnly`, plus at most 10 ms.
 */
describe.each(['cut', 'frozen'] as const)('Redis %s', (fault) => {
  let proxy: TcpProxy;
  let cluster: TestCluster;
  /** Reaches Redis directly. */
  let healthy: Api;
  /** Reaches Redis through the proxy. */
  let faulted: Api;
  /** No cache: every read goes to the database. */
  let databaseOnly: Api;
  let user: RegisteredUser;
  let slug: string;

  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    proxy = await startTcpProxy(Number(redis.port || 6379), redis.hostname);
    cluster = await startTestCluster(
      3,
      {
        RATE_LIMIT_MAX: '1000000',
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
        REDIS_PROBE_INTERVAL_MS: '200',
      },
      (index): Record<string, string> =>
        [{}, { REDIS_URL: `redis://127.0.0.1:${proxy.port}` }, { CACHE_TTL_SECONDS: '0' }][index],
    );
    healthy = new Api(cluster.apps[0].baseUrl);
    faulted = new Api(cluster.apps[1].baseUrl);
    databaseOnly = new Api(cluster.apps[2].baseUrl);
    user = await registerUser(faulted, 'redis');
    slug = (await createArticle(faulted, user)).slug;
  });
  afterAll(async () => {
    await cluster?.close();
    await proxy?.close();
  });

  /** `SAMPLES` rounds of each route on each instance, interleaved; milliseconds. */
  async function measure() {
    const routes = {
      // Only the rate limiter would touch Redis.
      'no cache': (api: Api) => api.get('/api/user', { token: user.token }),
      // Read through the cache.
      cached: (api: Api) => api.get(`/api/articles/${slug}`),
    };
    const timings = {
      healthy: { 'no cache': [] as number[], cached: [] as number[] },
      faulted: { 'no cache': [] as number[], cached: [] as number[] },
      databaseOnly: { 'no cache': [] as number[], cached: [] as number[] },
    };
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      for (const route of ['no cache', 'cached'] as const) {
        for (const [instance, api] of [
          ['healthy', healthy],
          ['faulted', faulted],
          ['databaseOnly', databaseOnly],
        ] as const) {
          const started = performance.now();
          const response = await routes[route](api);
          timings[instance][route].push(performance.now() - started);
          expect(response.status).toBe(200);
        }
      }
    }
    return timings;
  }

  it('serves every request without waiting for Redis once the breaker is open, then recovers', async () => {
    await measure(); // warm-up: connections, JIT, the cache entry
    expect(
      (await faulted.get('/api/user', { token: user.token })).headers.get('ratelimit-limit'),
    ).toBe('1000000');

    if (fault === 'cut') proxy.cut();
    else proxy.freeze();
    // The first failures: a frozen Redis costs these requests up to the command timeout.
    for (let attempt = 0; attempt < 3; attempt += 1)
      expect((await faulted.get(`/api/articles/${slug}`)).status).toBe(200);

    const during = await measure();
    const summary = (['no cache', 'cached'] as const).map((route) => ({
      route,
      medianRedisUp: round(median(during.healthy[route])),
      medianWithoutCache: round(median(during.databaseOnly[route])),
      medianRedisDown: round(median(during.faulted[route])),
      slowestRedisDown: Math.round(Math.max(...during.faulted[route])),
    }));
    console.info(`Redis ${fault}: ${JSON.stringify(summary)}`);
    for (const entry of summary) {
      // No request waited for a Redis command to time out…
      expect({
        ...entry,
        waitedForRedis: entry.slowestRedisDown >= COMMAND_TIMEOUT_MS / 2,
      }).toEqual({
        ...entry,
        waitedForRedis: false,
      });
      // …and the typical request costs what it costs without Redis: the same as with Redis up
      // when it uses no cache, a database read (≤ 10 ms more) when it does.
      const reference = entry.route === 'cached' ? entry.medianWithoutCache : entry.medianRedisUp;
      expect({ ...entry, addedAtMost10ms: entry.medianRedisDown - reference <= 10 }).toEqual({
        ...entry,
        addedAtMost10ms: true,
      });
    }

    // Correct meanwhile: rate limits fail open (no budget headers), a write shows at once.
    const skipped = await faulted.get('/api/user', { token: user.token });
    expect(skipped.headers.get('ratelimit-limit')).toBeNull();
    const updated = await faulted.put(`/api/articles/${slug}`, {
      token: user.token,
      body: { article: { body: `Written while Redis is ${fault}`, tagList: ['during-outage'] } },
    });
    expect(updated.status).toBe(200);
    expect((await faulted.get(`/api/articles/${slug}`)).body.article.body).toBe(
      `Written while Redis is ${fault}`,
    );
    expect((await faulted.get('/api/tags')).body.tags).toContain('during-outage');

    if (fault === 'cut') proxy.restore();
    else proxy.thaw();
    // Redis is used again: rate-limit headers come back and reads are served from the cache
    // (no SQL), never the entry from before the write.
    const deadline = Date.now() + 15_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const limited = await faulted.get('/api/user', { token: user.token });
      let body: string | undefined;
      const { count } = await countQueries(cluster.apps[1].dataSource, async () => {
        body = (await faulted.get(`/api/articles/${slug}`)).body.article.body;
      });
      expect(body).toBe(`Written while Redis is ${fault}`);
      recovered = limited.headers.get('ratelimit-limit') === '1000000' && count === 0;
    }
    expect(recovered).toBe(true);
  }, 120_000);
});
