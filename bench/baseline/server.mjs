// The baseline the benchmark measures Conduit against: a minimal hand-written Fastify + pg
// server answering the same routes with the same JSON and the same queries (same joins,
// filters, order and number of statements), but no framework: no DI, no ORM, no guards, no
// validation pipe, no hooks. It exists only to measure against; it is not an example to follow.
//
// Env: DATABASE_URL (PostgreSQL), PORT, HOST, JWT_SECRET (the app's, so its tokens work here),
// DATABASE_POOL_SIZE (default 10, like the app), JWT_ACCESS_TTL_SECONDS (default 900).
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import Fastify from 'fastify';
import pg from 'pg';

const secret = process.env.JWT_SECRET ?? 'baseline-secret-0123456789abcdefghijklmnop';
const accessTtl = Number(process.env.JWT_ACCESS_TTL_SECONDS ?? 900);
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  connectionTimeoutMillis: Number(process.env.DATABASE_CONNECT_TIMEOUT_MS ?? 1000),
  statement_timeout: Number(process.env.DATABASE_STATEMENT_TIMEOUT_MS ?? 5000),
});

// Counts statements for the report's queries-per-request column (an increment: no cost).
let queries = 0;
const query = (text, values) => {
  queries++;
  return pool.query(text, values);
};

const DATE_TEXT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
/** The app's default PAGINATION_MAX_OFFSET. */
const MAX_OFFSET = Number(process.env.PAGINATION_MAX_OFFSET ?? 100_000);
const ARTICLE_COLUMNS = `a.id, a.slug, a.title, a.description, a.author_id, a.created_at, a.updated_at,
  u.username, u.bio, u.image, to_char(a.created_at AT TIME ZONE 'UTC', ${DATE_TEXT}) AS key_time`;

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const base64url = (value) => Buffer.from(value).toString('base64url');
const sign = (text) => createHmac('sha256', secret).update(text).digest();

function verifyJwt(token) {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return null;
  const expected = sign(`${header}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'HS256') return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  if (claims.typ !== 'access' || typeof claims.sid !== 'string') return null;
  if (claims.iss !== 'conduit-platform' || claims.aud !== 'conduit-api') return null;
  if (!(claims.exp > Date.now() / 1000)) return null;
  return claims;
}

function issueJwt(userId, sessionId) {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      sub: String(userId),
      sid: sessionId,
      typ: 'access',
      iat: now,
      exp: now + accessTtl,
      aud: 'conduit-api',
      iss: 'conduit-platform',
    }),
  );
  return `${header}.${payload}.${sign(`${header}.${payload}`).toString('base64url')}`;
}

/** The caller, or undefined without a token; 401 for a bad token or an ended session. */
async function caller(request, required) {
  const match = /^(?:Token|Bearer) (.+)$/.exec(request.headers.authorization ?? '');
  if (!match) {
    if (required) throw new HttpError(401, 'missing authorization');
    return undefined;
  }
  const claims = verifyJwt(match[1]);
  if (!claims) throw new HttpError(401, 'token is invalid');
  const { rows } = await query(
    `SELECT s.expires_at, u.id, u.username, u.email, u.role, u.email_verified_at FROM sessions s
     JOIN users u ON u.id = s.user_id
     WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND u.disabled_at IS NULL`,
    [claims.sid, Number(claims.sub)],
  );
  if (!rows[0] || rows[0].expires_at <= new Date()) throw new HttpError(401, 'session ended');
  return { id: rows[0].id, token: match[1] };
}

const encodeCursor = (values) => {
  const body = base64url(JSON.stringify(values));
  return `${body}.${sign(body).subarray(0, 16).toString('base64url')}`;
};
function decodeCursor(cursor) {
  const [body, signature] = String(cursor).split('.');
  if (!body || signature !== sign(body).subarray(0, 16).toString('base64url'))
    throw new HttpError(422, 'cursor is invalid');
  return JSON.parse(Buffer.from(body, 'base64url').toString());
}

function pageParams(q) {
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(422, 'limit');
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET)
    throw new HttpError(422, 'offset');
  return { limit, offset, cursor: q.cursor === undefined ? undefined : decodeCursor(q.cursor) };
}

/** Tags, maintained favorite counts and the viewer's favorites and follows: four parallel queries. */
async function views(rows, viewerId, withBody) {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const authorIds = [...new Set(rows.map((row) => row.author_id))];
  const [tags, counts, favorited, followed] = await Promise.all([
    query(
      `SELECT l.article_id, t.name FROM article_tags l JOIN tags t ON t.id = l.tag_id
       WHERE l.article_id = ANY($1) ORDER BY t.name`,
      [ids],
    ),
    query(
      `SELECT key_id AS article_id, total AS count FROM article_counts
       WHERE scope = 'favoriters' AND key_id = ANY($1)`,
      [ids],
    ),
    viewerId === undefined
      ? { rows: [] }
      : query(`SELECT article_id FROM favorites WHERE user_id = $1 AND article_id = ANY($2)`, [
          viewerId,
          ids,
        ]),
    viewerId === undefined
      ? { rows: [] }
      : query(`SELECT followee_id FROM follows WHERE follower_id = $1 AND followee_id = ANY($2)`, [
          viewerId,
          authorIds,
        ]),
  ]);
  const tagLists = new Map(ids.map((id) => [id, []]));
  for (const row of tags.rows) tagLists.get(row.article_id).push(row.name);
  const countOf = new Map(counts.rows.map((row) => [row.article_id, Number(row.count)]));
  const favoritedIds = new Set(favorited.rows.map((row) => row.article_id));
  const followedIds = new Set(followed.rows.map((row) => row.followee_id));
  return rows.map((row) => ({
    slug: row.slug,
    title: row.title,
    description: row.description,
    ...(withBody ? { body: row.body } : {}),
    tagList: tagLists.get(row.id).sort(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    favorited: favoritedIds.has(row.id),
    favoritesCount: countOf.get(row.id) ?? 0,
    author: {
      username: row.username,
      bio: row.bio,
      image: row.image,
      following: followedIds.has(row.author_id),
    },
  }));
}

/**
 * The app's articlesCount, the same statements: one row of the counts the database triggers
 * keep (no filter), the sum over the followed authors (feed), or COUNT(*) of the filtered rows
 * when filters are combined. A single filter is resolved first (see SINGLE_FILTERS).
 */
const COUNTS = {
  all: () => ["SELECT total FROM article_counts WHERE scope = 'all' AND key_id = 0", []],
  feed: (viewerId) => [
    `SELECT COALESCE(SUM(c.total), 0) AS total FROM article_counts c
     JOIN follows f ON f.followee_id = c.key_id
     WHERE c.scope = 'author' AND f.follower_id = $1`,
    [viewerId],
  ],
};

/**
 * The app's single-filter lists: one statement resolves the name to its id and count, then the
 * page filters by the id as a value (so PostgreSQL plans with that id's statistics).
 */
const SINGLE_FILTERS = {
  tag: {
    resolve: (name) => [
      `SELECT k.id AS key_id, COALESCE(c.total, 0) AS total FROM tags k
       LEFT JOIN article_counts c ON c.scope = 'tag' AND c.key_id = k.id WHERE k.name = $1`,
      [name],
    ],
    filter: (n) => `a.id IN (SELECT tl.article_id FROM article_tags tl WHERE tl.tag_id = $${n})`,
  },
  author: {
    resolve: (name) => resolveUser('author', name),
    filter: (n) => `a.author_id = $${n}`,
  },
  favorited: {
    resolve: (name) => resolveUser('favorited', name),
    filter: (n) => `a.id IN (SELECT f.article_id FROM favorites f WHERE f.user_id = $${n})`,
  },
};

function resolveUser(scope, name) {
  return [
    `SELECT k.id AS key_id, COALESCE(c.total, 0) AS total FROM users k
     LEFT JOIN article_counts c ON c.scope = $1 AND c.key_id = k.id WHERE LOWER(k.username) = $2`,
    [scope, name.toLowerCase()],
  ];
}

/** Count, then one page newest first by offset or keyset; the same shape as the app's lists. */
async function listArticles(filters, values, q, viewerId, counter) {
  const { limit, offset, cursor } = pageParams(q);
  const where = [...filters];
  const params = [...values];
  // LEFT JOIN and COUNT(*), as the app's lists: the count can drop the join to users.
  const from = 'FROM articles a LEFT JOIN users u ON u.id = a.author_id';
  const whereSql = () => (where.length ? `WHERE ${where.join(' AND ')}` : '');
  // counter: a statement, or (single filter) the result of the statement that resolved it.
  const counted = Array.isArray(counter) ? query(...counter) : counter;
  const total = counted
    ? await counted.then(({ rows }) => ({ rows: [{ count: rows[0]?.total ?? 0 }] }))
    : await query(`SELECT COUNT(*) AS count ${from} ${whereSql()}`, params);
  if (cursor) {
    params.push(cursor[0], cursor[1]);
    where.push(`(a.created_at, a.id) < ($${params.length - 1}, $${params.length})`);
  }
  const page = await query(
    `SELECT ${ARTICLE_COLUMNS} ${from} ${whereSql()} ORDER BY a.created_at DESC, a.id DESC
     LIMIT ${limit + 1}${!cursor && offset > 0 ? ` OFFSET ${offset}` : ''}`,
    params,
  );
  const rows = page.rows.slice(0, limit);
  const last = rows.at(-1);
  return {
    articles: await views(rows, viewerId, false),
    articlesCount: Number(total.rows[0].count),
    nextCursor: page.rows.length > limit ? encodeCursor([last.key_time, last.id]) : null,
  };
}

const app = Fastify({ logger: false });

app.setErrorHandler((error, _request, reply) => {
  const status = error.status ?? error.statusCode ?? 500;
  if (status >= 500) console.error(error);
  void reply.status(status).send({ errors: { body: [error.message] } });
});

app.get('/hello', async () => ({ hello: 'world' }));
app.get('/__bench/queries', async () => ({ queries }));

app.get('/api/articles', async (request) => {
  const q = request.query;
  const viewer = await caller(request, false);
  const given = ['tag', 'author', 'favorited'].filter((name) => q[name] !== undefined);
  if (given.length === 1) {
    const single = SINGLE_FILTERS[given[0]];
    const { rows } = await query(...single.resolve(q[given[0]]));
    const keyId = rows[0]?.key_id ?? 0;
    const total = rows[0]?.total ?? 0;
    const counted = Promise.resolve({ rows: [{ total }] });
    return listArticles([single.filter(1)], [keyId], q, viewer?.id, counted);
  }
  const filters = [];
  const values = [];
  if (q.tag !== undefined) {
    values.push(q.tag);
    filters.push(
      `a.id IN (SELECT tl.article_id FROM article_tags tl JOIN tags t ON t.id = tl.tag_id WHERE t.name = $${values.length})`,
    );
  }
  if (q.author !== undefined) {
    values.push(q.author.toLowerCase());
    filters.push(`a.author_id = (SELECT id FROM users WHERE LOWER(username) = $${values.length})`);
  }
  if (q.favorited !== undefined) {
    values.push(q.favorited.toLowerCase());
    filters.push(
      `a.id IN (SELECT f.article_id FROM favorites f JOIN users fu ON fu.id = f.user_id WHERE LOWER(fu.username) = $${values.length})`,
    );
  }
  const counter = given.length === 0 ? COUNTS.all() : null;
  return listArticles(filters, values, q, viewer?.id, counter);
});

app.get('/api/articles/feed', async (request) => {
  const viewer = await caller(request, true);
  return listArticles(
    ['a.author_id IN (SELECT fo.followee_id FROM follows fo WHERE fo.follower_id = $1)'],
    [viewer.id],
    request.query,
    viewer.id,
    COUNTS.feed(viewer.id),
  );
});

app.get('/api/articles/:slug', async (request) => {
  const viewer = await caller(request, false);
  const { rows } = await query(
    `SELECT ${ARTICLE_COLUMNS}, a.body FROM articles a JOIN users u ON u.id = a.author_id WHERE a.slug = $1`,
    [request.params.slug],
  );
  if (!rows[0]) throw new HttpError(404, 'article not found');
  const [article] = await views(rows, viewer?.id, true);
  return { article };
});

app.get('/api/tags', async () => {
  // The app's statement: tags in use by their counters, most used first, then by name, at
  // most TAGS_LIST_LIMIT (100).
  const { rows } = await query(
    `SELECT t.name FROM tags t
     JOIN article_counts c ON c.scope = 'tag' AND c.key_id = t.id AND c.total > 0
     ORDER BY c.total DESC, t.name ASC LIMIT 100`,
  );
  return { tags: rows.map((row) => row.name) };
});

app.get('/api/user', async (request) => {
  const viewer = await caller(request, true);
  const { rows } = await query(
    'SELECT id, email, username, bio, image, email_verified_at FROM users WHERE id = $1',
    [viewer.id],
  );
  const user = rows[0];
  return {
    user: {
      email: user.email,
      token: viewer.token,
      username: user.username,
      bio: user.bio,
      image: user.image,
      emailVerified: user.email_verified_at !== null,
    },
  };
});

app.post('/api/users/login', async (request, reply) => {
  const { email, password } = request.body?.user ?? {};
  if (typeof email !== 'string' || typeof password !== 'string')
    throw new HttpError(422, 'email and password are required');
  const found = await query('SELECT id, password_hash FROM users WHERE email = $1', [
    email.toLowerCase(),
  ]);
  const valid = found.rows[0] && (await argon2.verify(found.rows[0].password_hash, password));
  if (!valid) throw new HttpError(401, 'email or password is invalid');
  const userId = found.rows[0].id;
  const sessionId = randomUUID();
  const refreshToken = randomBytes(32).toString('base64url');
  const client = await pool.connect();
  try {
    queries += 4;
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO sessions (id, user_id, user_agent, ip, created_at, last_used_at, expires_at)
       VALUES ($1, $2, $3, $4, now(), now(), now() + interval '30 days')`,
      [sessionId, userId, request.headers['user-agent']?.slice(0, 512) ?? null, request.ip],
    );
    await client.query(
      'INSERT INTO refresh_tokens (id, session_id, token_hash, created_at) VALUES ($1, $2, $3, now())',
      [randomUUID(), sessionId, createHash('sha256').update(refreshToken).digest('hex')],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  const { rows } = await query('SELECT email, username, bio, image FROM users WHERE id = $1', [
    userId,
  ]);
  void reply.status(200);
  return { user: { ...rows[0], token: issueJwt(userId, sessionId), refreshToken } };
});

const shutdown = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3001) });
