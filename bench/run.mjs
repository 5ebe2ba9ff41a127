// `npm run bench`: Conduit against a hand-written Fastify + pg baseline (bench/baseline), in
// one run on one machine, so the ratios mean something wherever it runs. Seeds a scratch
// PostgreSQL database, starts both servers, warms them, drives them alternately with
// autocannon over the same scenarios, then counts SQL statements per request and EXPLAINs the
// main ones. Writes bench/results/latest.{json,md} and the results section of
// docs/performance.md (a --quick run writes bench/results/quick.* and leaves the docs alone).
// Exits 1 when any request failed or the two servers answered differently.
//
// Usage: npm run bench [-- --quick] [--seconds N] [--rounds N] [--connections N]
//        [--sizes 100k,1m] [--users N] [--articles N] [--comments N] [--keep-db] [--no-docs]
//        --sizes: article counts to measure, each in its own database, with 1 user per 10
//        articles and 100k comments; --users/--articles/--comments: one size given exactly
// Env:   BENCH_DATABASE_URL  use this (PostgreSQL) database instead of a scratch one; seeded
//                            data in it is replaced, the database is not dropped
//        BENCH_PG_ADMIN_URL  where to create the scratch database
//                            (default postgres://postgres@127.0.0.1:5432/postgres)
import { createHmac, randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { printTable, updateDocs, writeResults } from './lib/report.mjs';
import { startPgWireTap } from './lib/pg-wire-tap.mjs';
import { baselineQueriesDuring, explain, statementsDuring } from './lib/sql-checks.mjs';
import {
  freePort,
  JWT_SECRET,
  runScript,
  PRODUCTION_RUNTIME,
  serverEnv,
  snapshotBuild,
  startServer,
} from './lib/servers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { nodeFlags } = PRODUCTION_RUNTIME;
const SEED_PASSWORD = 'seed-password';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The default PAGINATION_MAX_OFFSET (1,000 × PAGINATION_MAX_LIMIT). */
const DEFAULT_MAX_OFFSET = 100_000;

const options = parseArgs(process.argv.slice(2));
/** Scratch databases not dropped yet (dropped on the way out, even when interrupted). */
const scratch = new Set();
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
  console.error('\nbench: interrupted, cleaning up…');
});

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  for (const databaseUrl of [...scratch])
    await dropScratchDatabase(databaseUrl).catch((e) => console.error(e));
}

async function main() {
  const started = performance.now();
  const app = snapshotBuild(root, 'conduit-bench');
  const runs = [];
  for (const size of options.sizes) {
    if (interrupted) break;
    runs.push(await measureSize(app, size));
  }
  if (interrupted) return 130;

  const result = {
    meta: await describeRun(runs),
    runs,
    targets: [...runs.flatMap((run) => targets(run, runs.length > 1)), ...scaling(runs)],
    mismatches: runs.flatMap((run) => run.mismatches.map((m) => `${run.label}: ${m}`)),
  };
  printTable(result);
  const name = options.quick ? 'quick' : 'latest';
  const results = join(root, 'bench/results');
  writeResults(result, join(results, `${name}.json`), join(results, `${name}.md`));
  log(`wrote bench/results/${name}.json and .md`);
  if (!options.quick && options.docs) {
    if (updateDocs(join(root, 'docs/performance.md'), result))
      log('updated the results section of docs/performance.md');
    else log('docs/performance.md has no bench:results markers; not updated');
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const failed = runs.flatMap((run) =>
    run.scenarios
      .filter((s) => failures(s.ours) + failures(s.baseline) > 0)
      .map((s) => ({ ...s, title: `${run.label}: ${s.title}` })),
  );
  for (const s of failed)
    console.error(
      `bench: ${s.title} had failed or non-2xx responses (status codes seen: ${[...s.ours.statusCodes, ...s.baseline.statusCodes].join(', ') || 'none'})`,
    );
  return failed.length > 0 || result.mismatches.length > 0 ? 1 : 0;
}

/** Seeds one dataset size into its own database and measures every scenario on it. */
async function measureSize(app, size) {
  const databaseUrl = await scratchDatabase();
  const db = new pg.Client({ connectionString: databaseUrl });
  const cleanups = [];
  try {
    log(
      `${size.label}: seeding ${size.users} users, ${size.articles} articles, ${size.comments} comments`,
    );
    const seedSeconds = await runScript(
      join(app, 'src/cli/seed/run-seed.js'),
      ['--users', size.users, '--articles', size.articles, '--comments', size.comments]
        .map(String)
        .concat('--reset'),
      serverEnv(databaseUrl, 0, { SEED_PASSWORD }),
    );
    log(`${size.label}: seeded in ${seedSeconds.toFixed(1)} s`);
    await db.connect();
    cleanups.push(() => db.end());

    const [oursPort, basePort] = [await freePort(), await freePort()];
    const ours = await startServer({
      nodeFlags,
      name: 'app',
      script: join(app, 'src/main.js'),
      env: serverEnv(databaseUrl, oursPort),
      port: oursPort,
      readyPath: '/api/health/ready',
    });
    cleanups.push(() => ours.stop());
    // The same app with the read cache off, for the uncached scenarios (CACHE_TTL_SECONDS=0).
    const oursUncachedPort = await freePort();
    const oursUncached = await startServer({
      nodeFlags,
      name: 'app',
      script: join(app, 'src/main.js'),
      env: serverEnv(databaseUrl, oursUncachedPort, { CACHE_TTL_SECONDS: '0' }),
      port: oursUncachedPort,
      readyPath: '/api/health/ready',
    });
    cleanups.push(() => oursUncached.stop());
    const baseline = await startServer({
      nodeFlags,
      name: 'baseline',
      script: join(root, 'bench/baseline/server.mjs'),
      env: serverEnv(databaseUrl, basePort),
      port: basePort,
      readyPath: '/hello',
    });
    cleanups.push(() => baseline.stop());

    const fixtures = await prepareFixtures(db, ours, app, size);
    const scenarios = defineScenarios(fixtures);
    const mismatches = await compareResponses(scenarios, ours, baseline);

    log(`${size.label}: warming up (${options.warmSeconds} s per scenario and server)`);
    const oursFor = (scenario) => (scenario.uncached ? oursUncached : ours);
    for (const scenario of scenarios)
      for (const server of [oursFor(scenario), baseline])
        await load(server, scenario, options.warmSeconds, scenario.connections);

    const measured = [];
    for (const scenario of scenarios) {
      const runs = { ours: [], baseline: [] };
      for (let round = 0; round < options.rounds && !interrupted; round++) {
        // Alternate who goes first, so drift (thermal, background work) hits both alike.
        const order = round % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
        for (const side of order) {
          const server = side === 'ours' ? oursFor(scenario) : baseline;
          server.resetPeakRss();
          const cpuBefore = server.cpuSeconds();
          const run = await load(server, scenario, options.seconds, scenario.connections);
          const cpuAfter = server.cpuSeconds();
          const cpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
          runs[side].push({ ...run, cpuSeconds, peakRssMb: server.peakRssMb() });
        }
      }
      const result = {
        id: scenario.id,
        title: scenario.title,
        list: scenario.list ?? false,
        ours: combine(runs.ours),
        baseline: combine(runs.baseline),
      };
      result.ratio = result.ours.rps / result.baseline.rps;
      measured.push(result);
      log(
        `${size.label}: ${scenario.title}: ${result.ours.rps.toFixed(0)} vs ${result.baseline.rps.toFixed(0)} req/s (×${result.ratio.toFixed(2)})`,
      );
    }
    // Request logging stays on (LOG_LEVEL=info): say how much it wrote, so a run that
    // silently stopped logging cannot pass for a faster one.
    log(
      `${size.label}: request log: ours wrote ${ours.logLines + oursUncached.logLines} lines, baseline ${baseline.logLines}`,
    );
    if (!interrupted) {
      await ours.stop();
      await oursUncached.stop();
      log(`${size.label}: counting SQL statements per request and checking plans`);
      await sqlChecks(scenarios, measured, { app, databaseUrl, db, baseline });
    }
    return {
      label: size.label,
      dataset: { users: size.users, articles: size.articles, comments: size.comments },
      seedSeconds,
      scenarios: measured,
      mismatches,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error(e));
    await dropScratchDatabase(databaseUrl);
  }
}

/** A fresh database for one size (BENCH_DATABASE_URL when given: its seeded data is replaced). */
async function scratchDatabase() {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const name = `conduit_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  log(`scratch database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  scratch.add(databaseUrl);
  return databaseUrl;
}

async function dropScratchDatabase(databaseUrl) {
  if (!scratch.has(databaseUrl) || options.keepDb) return;
  scratch.delete(databaseUrl);
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query(
    `DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`,
  );
  await client.end();
}

async function prepareFixtures(db, ours, app, size) {
  const seeded = (n) => `seed_${String(n).padStart(6, '0')}@seed.invalid`;
  const login = async (email) => {
    const response = await fetch(`${ours.url}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { email, password: SEED_PASSWORD } }),
    });
    if (!response.ok) throw new Error(`login of ${email} answered ${response.status}`);
    return (await response.json()).user.token;
  };
  // The largest of each list: the most used tag, the most prolific author, the user with the
  // most favorites (read from the maintained counts; the bench needs no full scans).
  const top = async (scope, join, column) => {
    const { rows } = await db.query(
      `SELECT x.${column} AS name FROM article_counts c JOIN ${join} x ON x.id = c.key_id
       WHERE c.scope = $1 ORDER BY c.total DESC, c.key_id LIMIT 1`,
      [scope],
    );
    return rows[0].name;
  };
  const { rows: slugs } = await db.query(
    'SELECT slug FROM articles ORDER BY md5(id::text) LIMIT 50',
  );
  const depth = Math.floor(size.articles * 0.9);
  // The deepest page an offset may reach by default, when 90 % of the table lies beyond it.
  const offsetDepth = Math.min(depth, DEFAULT_MAX_OFFSET - 20);
  // The cursor each server would hand out after the row at that depth. Fetching it through
  // ?offset= would need a deep offset, which the app refuses (and which takes seconds at 1M),
  // so the harness reads the row once and signs the cursors with the servers' shared secret.
  const { rows: keyRows } = await db.query(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time, id
     FROM articles ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
    [depth - 1],
  );
  const key = [keyRows[0].time, keyRows[0].id];
  const { CursorCodec } = await import(join(app, 'src/common/pagination/cursor-codec.js'));
  const body = Buffer.from(JSON.stringify(key)).toString('base64url');
  const cursor = {
    ours: new CursorCodec(JWT_SECRET).encode({ list: 'articles', sort: '-createdAt', values: key }),
    // bench/baseline/server.mjs encodeCursor().
    baseline: `${body}.${createHmac('sha256', JWT_SECRET).update(body).digest().subarray(0, 16).toString('base64url')}`,
  };
  return {
    tag: await top('tag', 'tags', 'name'),
    author: await top('author', 'users', 'username'),
    favoriter: await top('favorited', 'users', 'username'),
    slugs: slugs.map((row) => row.slug),
    depth,
    offsetDepth,
    cursor,
    feedToken: await login(seeded(1)),
    userToken: await login(seeded(2)),
    loginEmails: Array.from({ length: 10 }, (_, i) => seeded(i + 3)),
  };
}

/**
 * Every scenario: the request(s) for each side, the table of its main statement and how to
 * recognise that statement (and the count) among the app's logged queries.
 */
function defineScenarios(f) {
  const get = (path, token) => ({
    method: 'GET',
    path,
    headers: token ? { authorization: `Token ${token}` } : {},
  });
  const same = (requests) => ({ ours: requests, baseline: requests });
  const articlesPage = /FROM "articles" "article" (?:LEFT|INNER) JOIN "users".* LIMIT/;
  // articlesCount: a maintained count (one row, or a sum over the followed authors); for a
  // single filter, read together with the filter's id (FROM "tags"/"users" … JOIN it). Not
  // the articles' favorite counts, which are article_counts rows too.
  const articlesCount = /^(?!.*'favoriters').*"article_counts"/s;
  const listChecks = {
    table: 'articles',
    main: articlesPage,
    count: articlesCount,
    countTable: 'article_counts',
    list: true,
  };
  return [
    { id: 'list', title: 'List articles, page 1', ...same([get('/api/articles')]), ...listChecks },
    {
      id: 'list-tag',
      title: `List by tag (“${f.tag}”, the most used)`,
      ...same([get(`/api/articles?tag=${encodeURIComponent(f.tag)}`)]),
      ...listChecks,
    },
    {
      id: 'list-author',
      title: 'List by author (the most prolific)',
      ...same([get(`/api/articles?author=${encodeURIComponent(f.author)}`)]),
      ...listChecks,
    },
    {
      id: 'list-favorited',
      title: 'List favorited by (the user with most favorites)',
      ...same([get(`/api/articles?favorited=${encodeURIComponent(f.favoriter)}`)]),
      ...listChecks,
    },
    {
      id: 'deep-offset',
      title: `Deep page by offset (${f.offsetDepth})`,
      ...same([get(`/api/articles?offset=${f.offsetDepth}`)]),
      ...listChecks,
      list: false,
    },
    {
      id: 'deep-cursor',
      title: `Deep page by cursor (${f.depth})`,
      ours: [get(`/api/articles?cursor=${f.cursor.ours}`)],
      baseline: [get(`/api/articles?cursor=${f.cursor.baseline}`)],
      ...listChecks,
    },
    {
      id: 'article',
      title: 'Get article by slug (50 slugs)',
      ...same(f.slugs.map((slug) => get(`/api/articles/${slug}`))),
      table: 'articles',
      main: /FROM "articles".*"slug" = /,
    },
    {
      id: 'article-uncached',
      title: 'Get article by slug, read cache off',
      ...same(f.slugs.map((slug) => get(`/api/articles/${slug}`))),
      uncached: true,
    },
    {
      id: 'tags-uncached',
      title: 'Tags (GET /api/tags), read cache off',
      ...same([get('/api/tags')]),
      uncached: true,
    },
    {
      id: 'feed',
      title: 'Feed (follows 50 authors)',
      ...same([get('/api/articles/feed', f.feedToken)]),
      ...listChecks,
    },
    {
      id: 'user',
      title: 'GET /api/user (authenticated)',
      ...same([get('/api/user', f.userToken)]),
      table: 'sessions',
      main: /FROM "sessions"/,
    },
    {
      id: 'health',
      title: 'Health vs hello-world',
      ours: [get('/api/health')],
      baseline: [get('/hello')],
      compare: false,
    },
    {
      id: 'login',
      title: 'Login (argon2id verify)',
      ...same(
        f.loginEmails.map((email) => ({
          method: 'POST',
          path: '/api/users/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: { email, password: SEED_PASSWORD } }),
        })),
      ),
      table: 'users',
      main: /FROM "users".*"email" = /,
      compare: false,
    },
  ];
}

/** The two servers must answer the same JSON (cursors and tokens aside), or ratios mean nothing. */
async function compareResponses(scenarios, ours, baseline) {
  const mismatches = [];
  const normalise = (body) => {
    delete body.nextCursor;
    if (body.user) delete body.user.token;
    return canonical(body);
  };
  for (const scenario of scenarios) {
    if (scenario.compare === false) continue;
    const fetchJson = async (server, request) => {
      const response = await fetch(server.url + request.path, { headers: request.headers });
      return { status: response.status, body: normalise(await response.json()) };
    };
    const [a, b] = [
      await fetchJson(ours, scenario.ours[0]),
      await fetchJson(baseline, scenario.baseline[0]),
    ];
    if (a.status !== 200 || JSON.stringify(a) !== JSON.stringify(b))
      mismatches.push(`${scenario.title}: app ${a.status} vs baseline ${b.status}, bodies differ`);
  }
  return mismatches;
}

function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical(value[key])]),
    );
  return value;
}

async function load(server, scenario, seconds, connections = options.connections) {
  const requests = server.name === 'app' ? scenario.ours : scenario.baseline;
  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests,
  });
  return {
    total: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: result.non2xx > 0 ? Object.keys(result.statusCodeStats ?? {}) : [],
  };
}

function combine(runs) {
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  const mean = (key) => sum(key) / runs.length;
  return {
    rps: sum('total') / sum('seconds'),
    p50: mean('p50'),
    p99: mean('p99'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    non2xx: sum('non2xx'),
    peakRssMb: Math.max(...runs.map((run) => run.peakRssMb ?? 0)) || null,
    // The server's own CPU time per answered request, in microseconds.
    cpuUs: runs.some((run) => run.cpuSeconds === null)
      ? null
      : (sum('cpuSeconds') * 1e6) / Math.max(sum('total'), 1),
    statusCodes: [...new Set(runs.flatMap((run) => run.statusCodes))],
  };
}

function failures(side) {
  return side.errors + side.timeouts + side.non2xx;
}

/**
 * A second app instance reaches PostgreSQL through a wire tap that records each statement
 * with its parameters; each scenario's request is sent to it twice (cold, warm).
 */
async function sqlChecks(scenarios, measured, { app, databaseUrl, db, baseline }) {
  const tap = await startPgWireTap(new URL(databaseUrl));
  const tapped = new URL(databaseUrl);
  tapped.hostname = '127.0.0.1';
  tapped.port = String(tap.port);
  const startCounting = async (extra) => {
    const port = await freePort();
    return startServer({
      nodeFlags,
      name: 'app',
      script: join(app, 'src/main.js'),
      env: serverEnv(tapped.toString(), port, extra),
      port,
      readyPath: '/api/health',
    });
  };
  // Each scenario is counted on an instance configured like the one it was measured on. The
  // mail outbox sweep is off: its statements would be counted with the request's.
  const counting = await startCounting({ MAIL_POLL_INTERVAL_MS: '0' });
  const countingUncached = await startCounting({
    MAIL_POLL_INTERVAL_MS: '0',
    CACHE_TTL_SECONDS: '0',
  });
  try {
    for (const scenario of scenarios) {
      const result = measured.find((s) => s.id === scenario.id);
      if (!result) continue;
      const send = (server, request) =>
        fetch(server.url + request.path, {
          method: request.method,
          headers: request.headers,
          body: request.body,
        }).then((response) => response.arrayBuffer());
      const server = scenario.uncached ? countingUncached : counting;
      const cold = await statementsDuring(tap, () => send(server, scenario.ours[0]));
      const warm = await statementsDuring(tap, () => send(server, scenario.ours[0]));
      result.ours.queriesCold = cold.length;
      result.ours.queries = warm.length;
      result.baseline.queriesCold = await baselineQueriesDuring(baseline.url, () =>
        send(baseline, scenario.baseline[0]),
      );
      result.baseline.queries = await baselineQueriesDuring(baseline.url, () =>
        send(baseline, scenario.baseline[0]),
      );
      if (!scenario.table) continue;
      const statements = [...cold, ...warm];
      const check = async (pattern, table) => {
        const statement = statements.find((s) => pattern.test(s.sql));
        if (!statement) return { error: 'statement not seen' };
        return explain(db, statement, table).catch((error) => ({ error: error.message }));
      };
      result.plan = { main: await check(scenario.main, scenario.table) };
      if (scenario.count)
        result.plan.count = await check(scenario.count, scenario.countTable ?? scenario.table);
    }
  } finally {
    await counting.stop();
    await countingUncached.stop();
    await tap.close();
  }
}

/** Targets within one size: ratios measured in the same run. */
function targets(run, labelled) {
  const prefix = labelled ? `${run.label}: ` : '';
  const byId = Object.fromEntries(run.scenarios.map((s) => [s.id, s]));
  const list = [];
  const ratio = (id, name, minimum) =>
    byId[id] &&
    list.push({
      name: prefix + name,
      target: `≥ ${minimum}× baseline`,
      actual: `${byId[id].ratio.toFixed(2)}×`,
      met: byId[id].ratio >= minimum,
    });
  ratio('list', 'List articles throughput', 0.85);
  // Per-request cost with every feature on (issue 12, item 4).
  ratio('health', 'Health throughput vs hello-world', 0.5);
  ratio('user', 'GET /api/user throughput', 0.7);
  // Uncached cost (item 5a): the cache is a bonus, never the reason a route is fast.
  ratio('article-uncached', 'Article by slug throughput, cache off', 0.9);
  ratio('tags-uncached', 'Tags throughput, cache off', 0.9);
  // Memory (item 5): the app's peak RSS in every scenario.
  const peak = Math.max(...run.scenarios.map((s) => s.ours.peakRssMb ?? 0));
  if (peak > 0)
    list.push({
      name: `${prefix}Peak RSS under load, worst scenario`,
      target: '≤ 200 MiB',
      actual: `${peak.toFixed(0)} MiB`,
      met: peak <= 200,
    });
  if (byId.list && byId['deep-cursor']) {
    const slowdown = byId['deep-cursor'].ours.p50 / byId.list.ours.p50;
    list.push({
      name: `${prefix}Deep cursor page p50 latency vs page 1`,
      target: '≤ 1.2×',
      actual: `${slowdown.toFixed(2)}×`,
      met: slowdown <= 1.2,
    });
  }
  // Every list at least half as fast as the cheapest authenticated read, GET /api/user.
  const user = byId.user?.ours.rps;
  for (const s of run.scenarios.filter((s) => s.list && user)) {
    const share = s.ours.rps / user;
    list.push({
      name: `${prefix}${s.title} throughput vs GET /api/user`,
      target: '≥ 0.5×',
      actual: `${share.toFixed(2)}×`,
      met: share >= 0.5,
    });
  }
  return list;
}

/** Lists must not slow down with the data: p50 at the largest size vs the smallest. */
function scaling(runs) {
  if (runs.length < 2) return [];
  const [small, large] = [runs[0], runs.at(-1)];
  // The sizes are measured many minutes apart, and a shared host can change speed in between.
  // The baseline's hello-world touches no data: its CPU per request tells whether the machine
  // itself got slower, in which case the p50s below compare machines, not data sizes.
  const helloCpu = (run) => run.scenarios.find((s) => s.id === 'health')?.baseline.cpuUs;
  const machine =
    helloCpu(small) && helloCpu(large)
      ? [
          {
            name: `Same machine speed for both sizes: baseline hello-world CPU per request at ${large.label} vs ${small.label} (${helloCpu(large).toFixed(0)} vs ${helloCpu(small).toFixed(0)} µs; the p50 comparisons below hold only when this does)`,
            target: '≤ 1.2×',
            actual: `${(helloCpu(large) / helloCpu(small)).toFixed(2)}×`,
            met: helloCpu(large) / helloCpu(small) <= 1.2,
          },
        ]
      : [];
  return machine.concat(
    large.scenarios
      .filter((s) => s.list)
      .flatMap((s) => {
        const before = small.scenarios.find((other) => other.id === s.id);
        if (!before) return [];
        const growth = s.ours.p50 / Math.max(before.ours.p50, 0.5);
        return [
          {
            name: `${s.title} p50 at ${large.label} vs ${small.label} (${s.ours.p50.toFixed(1)} vs ${before.ours.p50.toFixed(1)} ms)`,
            target: '≤ 1.5×',
            actual: `${growth.toFixed(2)}×`,
            met: growth <= 1.5,
          },
        ];
      }),
  );
}

async function describeRun(runs) {
  const cpu = cpus();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const { rows } = await admin.query('SHOW server_version');
  await admin.end();
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${process.platform}`,
    node: process.versions.node,
    postgres: rows[0].server_version.split(' ')[0],
    quick: options.quick,
    sizes: runs.map((run) => ({ label: run.label, ...run.dataset, seedSeconds: run.seedSeconds })),
    seconds: options.seconds,
    rounds: options.rounds,
    connections: options.connections,
  };
}

/** `100k` → 100000, `1m` → 1000000. */
function parseSize(text) {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`--sizes: "${text}" is not a count such as 100k or 1m`);
  const factor = { '': 1, k: 1_000, m: 1_000_000 }[match[2].toLowerCase()];
  return Math.round(Number(match[1]) * factor);
}

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const parsed = {
    quick,
    sizes: quick ? '5k' : '100k,1m',
    users: undefined,
    articles: undefined,
    comments: undefined,
    seconds: quick ? 1.5 : 5,
    warmSeconds: quick ? 0.5 : 2,
    rounds: quick ? 1 : 2,
    connections: 10,
    keepDb: false,
    docs: true,
  };
  const numeric = ['seconds', 'rounds', 'connections', 'users', 'articles', 'comments'];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].replace(/^--/, '');
    if (flag === 'quick') continue;
    else if (flag === 'keep-db') parsed.keepDb = true;
    else if (flag === 'no-docs') parsed.docs = false;
    else if (flag === 'sizes') parsed.sizes = argv[++i] ?? '';
    else if (numeric.includes(flag)) {
      const value = Number(argv[++i]);
      if (!(value > 0)) throw new Error(`--${flag} needs a positive number`);
      parsed[flag] = value;
    } else {
      console.error(`unknown option ${argv[i]}; see the header of bench/run.mjs`);
      process.exit(2);
    }
  }
  // One user per 10 articles (seed's Zipf authors), comments capped at 100k: no list reads them.
  parsed.sizes =
    parsed.articles !== undefined
      ? [
          {
            articles: parsed.articles,
            users: parsed.users ?? Math.max(12, Math.round(parsed.articles / 10)),
            comments: parsed.comments ?? Math.min(parsed.articles, 100_000),
          },
        ]
      : parsed.sizes.split(',').map((text) => {
          const articles = parseSize(text);
          return {
            articles,
            users: parsed.users ?? Math.max(quick ? 1_000 : 12, Math.round(articles / 10)),
            comments: parsed.comments ?? Math.min(articles, 100_000),
          };
        });
  for (const size of parsed.sizes) {
    size.label = formatCount(size.articles);
    if (size.articles < 100) throw new Error('--articles must be at least 100');
    if (size.users < 12) throw new Error('--users must be at least 12');
  }
  return parsed;
}

function formatCount(n) {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 100 === 0) return `${n / 1_000}k`;
  return String(n);
}

function log(message) {
  console.log(`bench: ${message}`);
}
