/**
 * Command-line flags of `npm run seed`. Without data flags the seed only ensures the
 * administrator; with them it also bulk-inserts a generated RealWorld dataset.
 */

/** How much data to generate; every count is exact except follows (an average per user). */
export interface DataPlan {
  users: number;
  articles: number;
  comments: number;
  /** Favorite rows; defaults to twice the articles. */
  favorites: number;
  tags: number;
  /** Average authors an ordinary user follows (the feed viewer follows 50). */
  followsPerUser: number;
  /** PRNG seed: the same plan and seed produce the same rows. */
  randomSeed: number;
}

export interface SeedArgs {
  /** Undefined when no data flag was given (administrator only). */
  data: DataPlan | undefined;
  /** Delete previously seeded data first instead of leaving it in place. */
  reset: boolean;
  help: boolean;
}

export class SeedArgsError extends Error {}

export const SEED_USAGE = `Usage: npm run seed -- [--users N] [--articles N] [--comments N] [options]
  --users N            seeded users (required with --articles; N may be 10k, 1.5m)
  --articles N         seeded articles, authors skewed towards a few prolific users
  --comments N         seeded comments, on popular articles mostly
  --favorites N        favorite rows (default: 2 x articles, capped by users x articles)
  --tags N             distinct tags, used with a Zipf distribution (default 100)
  --follows-per-user N average authors followed per user (default 5)
  --random-seed N      PRNG seed, same seed -> same data (default 42)
  --reset              delete previously seeded data (and only that) first
Without data flags only the administrator (ADMIN_EMAIL / ADMIN_PASSWORD) is ensured.`;

const COUNT_FLAGS = {
  users: 'users',
  articles: 'articles',
  comments: 'comments',
  favorites: 'favorites',
  tags: 'tags',
  'follows-per-user': 'followsPerUser',
  'random-seed': 'randomSeed',
} as const satisfies Record<string, keyof DataPlan>;

type CountFlag = keyof typeof COUNT_FLAGS;

const MAX_COUNT = 100_000_000;

/** `250`, `10k`, `1.5m` → a non-negative integer; anything else is an error naming the flag. */
export function parseCount(flag: string, text: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text?.trim() ?? '');
  if (!match) throw new SeedArgsError(`--${flag} needs a count such as 500, 10k or 1.5m`);
  const scale = { '': 1, k: 1_000, m: 1_000_000 }[match[2].toLowerCase() as '' | 'k' | 'm'];
  const value = Number(match[1]) * scale;
  if (!Number.isInteger(value)) throw new SeedArgsError(`--${flag} must be a whole number`);
  if (value > MAX_COUNT) throw new SeedArgsError(`--${flag} must not exceed ${MAX_COUNT}`);
  return value;
}

/** Parses `process.argv.slice(2)`; accepts `--flag N` and `--flag=N`. */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  const counts: Partial<Record<CountFlag, number>> = {};
  let reset = false;
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--reset') reset = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (!(name in COUNT_FLAGS)) throw new SeedArgsError(`unknown flag --${name}`);
      const value = inline ?? argv[++index];
      if (counts[name as CountFlag] !== undefined) throw new SeedArgsError(`--${name} given twice`);
      counts[name as CountFlag] = parseCount(name, value);
    } else throw new SeedArgsError(`unexpected argument "${arg}"`);
  }
  return { data: planFrom(counts), reset, help };
}

function planFrom(counts: Partial<Record<CountFlag, number>>): DataPlan | undefined {
  if (counts.users === undefined && counts.articles === undefined && counts.comments === undefined)
    return undefined;
  const users = counts.users ?? 0;
  const articles = counts.articles ?? 0;
  const comments = counts.comments ?? 0;
  if (users < 1) throw new SeedArgsError('--users must be at least 1 when seeding data');
  if (comments > 0 && articles === 0)
    throw new SeedArgsError('--comments needs --articles (comments belong to articles)');
  const tags = counts.tags ?? 100;
  if (tags < 1) throw new SeedArgsError('--tags must be at least 1');
  const maxFavorites = users * articles;
  const favorites = counts.favorites ?? Math.min(articles * 2, Math.floor(maxFavorites / 2));
  if (favorites > maxFavorites)
    throw new SeedArgsError(
      `--favorites cannot exceed users x articles (${maxFavorites}): each user favorites an article once`,
    );
  return {
    users,
    articles,
    comments,
    favorites,
    tags,
    followsPerUser: Math.min(counts['follows-per-user'] ?? 5, Math.max(users - 1, 0)),
    randomSeed: counts['random-seed'] ?? 42,
  };
}
