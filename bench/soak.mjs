// `npm run soak`: a mixed workload against the built app on PostgreSQL, long enough to see
// whether throughput decays as the tables grow. 80 % reads (article lists, a tag, the feed, an
// article, its comments, a profile, the current user, tags), 20 % writes (new articles,
// comments, favorites and unfavorites, follows and unfollows) by seeded users. Prints
// throughput and p99 latency per minute and whether the last minute is within 10 % of the
// first. The same workload runs unmeasured for --warmup-seconds first (default 30), so minute 1
// measures the app, not its JIT compiler. Not part of CI (it runs for minutes). Loopback only:
// the app listens on 127.0.0.1.
//
// Usage: npm run soak [-- --minutes N] [--warmup-seconds N] [--connections N]
//        [--max-requests N] [--users N] [--articles N] [--keep-db]
// Env:   BENCH_DATABASE_URL / BENCH_PG_ADMIN_URL as for `npm run bench`.
import { clearInterval, setInterval } from 'node:timers';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { scratchDatabase } from './lib/scratch-database.mjs';
import {
  freePort,
  PRODUCTION_RUNTIME,
  runScript,
  serverEnv,
  snapshotBuild,
  startServer,
} from './lib/servers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SEED_PASSWORD = 'seed-password';
const TOLERANCE = 0.1;

const options = parseArgs(process.argv.slice(2));
const cleanups = [];
process.on('SIGINT', () => console.error('\nsoak: interrupted, cleaning up…'));

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`soak failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error(e));
}

async function main() {
  const app = snapshotBuild(root, 'conduit-soak');
  const databaseUrl = await scratchDatabase({
    prefix: 'conduit_soak',
    keep: options.keepDb,
    cleanups,
    log,
  });
  log(`seeding ${options.users} users, ${options.articles} articles`);
  await runScript(
    join(app, 'src/cli/seed/run-seed.js'),
    ['--users', options.users, '--articles', options.articles, '--comments', options.articles]
      .map(String)
      .concat('--reset'),
    serverEnv(databaseUrl, 0, { SEED_PASSWORD }),
  );
  const port = await freePort();
  const server = await startServer({
    nodeFlags: PRODUCTION_RUNTIME.nodeFlags,
    name: 'app',
    script: join(app, 'src/main.js'),
    env: serverEnv(databaseUrl, port),
    port,
    readyPath: '/api/health/ready',
  });
  cleanups.push(() => server.stop());

  const fixtures = await prepareFixtures(databaseUrl, server.url);
  if (options.warmupSeconds > 0) {
    log(`warming up for ${options.warmupSeconds} s (not measured)`);
    await drive(server, fixtures, options.warmupSeconds);
  }
  const before = await tableSizes(databaseUrl);
  log(
    `running ${options.minutes} min, ${options.connections} connections, at most ${options.maxRequests} requests`,
  );
  const minutes = await drive(server, fixtures, options.minutes * 60);
  const after = await tableSizes(databaseUrl);
  const rssMb = server.peakRssMb();

  console.log('\nminute | req/s | p99 ms | app CPU µs/req | reads | writes | errors');
  console.log('---: | ---: | ---: | ---: | ---: | ---: | ---:');
  for (const [index, minute] of minutes.entries()) {
    console.log(
      `${index + 1} | ${minute.rps.toFixed(0)} | ${minute.p99.toFixed(1)} | ${minute.cpuUs?.toFixed(0) ?? '–'} | ${minute.reads} | ${minute.writes} | ${minute.errors}`,
    );
  }
  console.log(
    `\ntables before → after: ${Object.keys(after)
      .map((table) => `${table} ${before[table]} → ${after[table]}`)
      .join(', ')}; peak RSS ${rssMb?.toFixed(0) ?? '–'} MiB`,
  );
  const errors = minutes.reduce((total, minute) => total + minute.errors, 0);
  if (minutes.length < 2) {
    log('too short to compare minutes');
    return errors > 0 ? 1 : 0;
  }
  const ratio = minutes.at(-1).rps / minutes[0].rps;
  const met = Math.abs(1 - ratio) <= TOLERANCE;
  console.log(
    `${met ? '✅' : '❌'} last minute at ${ratio.toFixed(2)}× the first minute's throughput (target within ±${TOLERANCE * 100} %)`,
  );
  const [firstCpu, lastCpu] = [minutes[0].cpuUs, minutes.at(-1).cpuUs];
  if (firstCpu && lastCpu)
    console.log(
      `   app CPU per request: last minute at ${(lastCpu / firstCpu).toFixed(2)}× the first's (${lastCpu.toFixed(0)} vs ${firstCpu.toFixed(0)} µs; independent of the host's speed that minute)`,
    );
  if (errors > 0) console.error(`soak: ${errors} requests failed or answered non-2xx`);
  return errors > 0 ? 1 : 0;
}

/** Logs in seeded users and picks the tags, slugs and usernames the workload uses. */
async function prepareFixtures(databaseUrl, url) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows: tags } = await db.query(
      `SELECT t.name FROM tags t JOIN article_tags l ON l.tag_id = t.id
       GROUP BY t.name ORDER BY COUNT(*) DESC LIMIT 20`,
    );
    const { rows: slugs } = await db.query(
      'SELECT slug FROM articles ORDER BY md5(id::text) LIMIT 200',
    );
    const { rows: users } = await db.query(
      `SELECT username, email FROM users WHERE email LIKE '%@seed.invalid' ORDER BY id LIMIT 200`,
    );
    const writers = [];
    for (const user of users.slice(0, 20)) {
      const response = await fetch(`${url}/api/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { email: user.email, password: SEED_PASSWORD } }),
      });
      if (!response.ok) throw new Error(`login of ${user.email} answered ${response.status}`);
      writers.push({ username: user.username, token: (await response.json()).user.token });
    }
    return {
      tags: tags.map((row) => row.name),
      slugs: slugs.map((row) => row.slug),
      usernames: users.map((row) => row.username),
      writers,
    };
  } finally {
    await db.end();
  }
}

/**
 * One operation per request, drawn at random with the weights below (reads 80, writes 20).
 * Writes never fail by design: follows and favorites are idempotent in the RealWorld API.
 */
function operations(f) {
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const auth = (writer) => ({ authorization: `Token ${writer.token}` });
  const json = (writer, body) => ({
    headers: { ...auth(writer), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // Following oneself is a 422 by design; the workload only sends requests that succeed.
  const otherThan = (writer) => {
    const username = pick(f.usernames);
    return username === writer.username ? f.usernames.find((name) => name !== username) : username;
  };
  let sequence = 0;
  return [
    { weight: 20, read: true, make: () => ({ method: 'GET', path: '/api/articles' }) },
    {
      weight: 12,
      read: true,
      make: () => ({
        method: 'GET',
        path: `/api/articles?tag=${encodeURIComponent(pick(f.tags))}`,
      }),
    },
    {
      weight: 8,
      read: true,
      make: () => ({ method: 'GET', path: '/api/articles/feed', headers: auth(pick(f.writers)) }),
    },
    {
      weight: 16,
      read: true,
      make: () => ({ method: 'GET', path: `/api/articles/${pick(f.slugs)}` }),
    },
    {
      weight: 8,
      read: true,
      make: () => ({ method: 'GET', path: `/api/articles/${pick(f.slugs)}/comments` }),
    },
    {
      weight: 6,
      read: true,
      make: () => ({ method: 'GET', path: `/api/profiles/${pick(f.usernames)}` }),
    },
    {
      weight: 6,
      read: true,
      make: () => ({ method: 'GET', path: '/api/user', headers: auth(pick(f.writers)) }),
    },
    { weight: 4, read: true, make: () => ({ method: 'GET', path: '/api/tags' }) },
    {
      weight: 6,
      read: false,
      make: () => {
        sequence += 1;
        const writer = pick(f.writers);
        return {
          method: 'POST',
          path: '/api/articles',
          ...json(writer, {
            article: {
              title: `Soak ${process.pid} ${sequence} ${Math.random().toString(36).slice(2, 8)}`,
              description: 'Written by npm run soak',
              body: 'Lorem ipsum dolor sit amet. '.repeat(20),
              tagList: [pick(f.tags), pick(f.tags)].filter((t, i, all) => all.indexOf(t) === i),
            },
          }),
        };
      },
    },
    {
      weight: 5,
      read: false,
      make: () => ({
        method: 'POST',
        path: `/api/articles/${pick(f.slugs)}/comments`,
        ...json(pick(f.writers), { comment: { body: 'A soak comment.' } }),
      }),
    },
    {
      weight: 4,
      read: false,
      make: () => ({
        method: 'POST',
        path: `/api/articles/${pick(f.slugs)}/favorite`,
        headers: auth(pick(f.writers)),
      }),
    },
    {
      weight: 2,
      read: false,
      make: () => ({
        method: 'DELETE',
        path: `/api/articles/${pick(f.slugs)}/favorite`,
        headers: auth(pick(f.writers)),
      }),
    },
    {
      weight: 2,
      read: false,
      make: () => {
        const writer = pick(f.writers);
        return {
          method: 'POST',
          path: `/api/profiles/${otherThan(writer)}/follow`,
          headers: auth(writer),
        };
      },
    },
    {
      weight: 1,
      read: false,
      make: () => ({
        method: 'DELETE',
        path: `/api/profiles/${pick(f.usernames)}/follow`,
        headers: auth(pick(f.writers)),
      }),
    },
  ];
}

/** Runs the workload for `seconds`; returns per-minute throughput, p99 and counts. */
async function drive(server, fixtures, seconds) {
  const ops = operations(fixtures);
  const totalWeight = ops.reduce((sum, op) => sum + op.weight, 0);
  const draw = () => {
    let ticket = Math.random() * totalWeight;
    for (const op of ops) if ((ticket -= op.weight) < 0) return op;
    return ops[0];
  };
  const started = performance.now();
  const minuteOf = () => Math.floor((performance.now() - started) / 60_000);
  const minutes = Array.from({ length: Math.ceil(seconds / 60) }, () => ({
    latencies: [],
    reads: 0,
    writes: 0,
    errors: 0,
  }));
  const instance = autocannon({
    url: server.url,
    connections: options.connections,
    // autocannon ignores `duration` when `amount` is set: the count bound is enforced below.
    duration: seconds,
    requests: [
      {
        setupRequest(request, context) {
          const op = draw();
          context.read = op.read;
          const made = op.make();
          return { ...request, ...made, headers: { ...made.headers } };
        },
        onResponse(status, _body, context) {
          const minute = minutes[minuteOf()];
          if (!minute) return;
          if (context.read) minute.reads += 1;
          else minute.writes += 1;
          if (status >= 400) minute.errors += 1;
        },
      },
    ],
  });
  // The app's CPU time at each minute boundary: CPU per request shows whether the app itself
  // slows down, apart from how fast the shared host happens to be that minute.
  const cpuAtMinute = [server.cpuSeconds()];
  const sampler = setInterval(() => cpuAtMinute.push(server.cpuSeconds()), 60_000);
  let sent = 0;
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    minutes[minuteOf()]?.latencies.push(responseTime);
    if (++sent === options.maxRequests) instance.stop();
  });
  instance.on('reqError', () => {
    const minute = minutes[minuteOf()];
    if (minute) minute.errors += 1;
  });
  await instance;
  clearInterval(sampler);
  cpuAtMinute.push(server.cpuSeconds());
  const elapsed = (performance.now() - started) / 1000;
  return minutes
    .map((minute, index) => {
      const seconds = Math.min(60, elapsed - index * 60);
      const sorted = minute.latencies.sort((a, b) => a - b);
      const [cpuStart, cpuEnd] = [cpuAtMinute[index], cpuAtMinute[index + 1] ?? cpuAtMinute.at(-1)];
      return {
        cpuUs:
          cpuStart === null || cpuEnd === null || sorted.length === 0
            ? null
            : ((cpuEnd - cpuStart) * 1e6) / sorted.length,
        rps: seconds > 0 ? sorted.length / seconds : 0,
        p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
        reads: minute.reads,
        writes: minute.writes,
        errors: minute.errors,
      };
    })
    .filter((minute) => minute.reads + minute.writes > 0);
}

async function tableSizes(databaseUrl) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const sizes = {};
    for (const table of ['articles', 'comments', 'favorites', 'follows'])
      sizes[table] = Number((await db.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
    return sizes;
  } finally {
    await db.end();
  }
}

function parseArgs(argv) {
  const parsed = {
    minutes: 5,
    warmupSeconds: 30,
    connections: 10,
    maxRequests: 2_000_000,
    users: 2_000,
    articles: 20_000,
    keepDb: false,
  };
  const numeric = {
    minutes: 'minutes',
    'warmup-seconds': 'warmupSeconds',
    connections: 'connections',
    'max-requests': 'maxRequests',
    users: 'users',
    articles: 'articles',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].replace(/^--/, '');
    if (flag === 'keep-db') parsed.keepDb = true;
    else if (numeric[flag]) {
      const value = Number(argv[++i]);
      const allowsZero = flag === 'warmup-seconds';
      if (!(value > 0 || (allowsZero && value === 0)))
        throw new Error(`--${flag} needs a positive number`);
      parsed[numeric[flag]] = value;
    } else {
      console.error(`unknown option ${argv[i]}; see the header of bench/soak.mjs`);
      process.exit(2);
    }
  }
  if (parsed.users < 30) throw new Error('--users must be at least 30');
  return parsed;
}

function log(message) {
  console.log(`soak: ${message}`);
}
