import { slugify } from '../../modules/articles/slug.js';
import type { DataPlan } from './seed-args.js';

/**
 * Deterministic generator of a realistic RealWorld dataset: a few prolific authors and many
 * occasional ones, tags and favorites with a Zipf (long-tail) distribution, comments mostly on
 * popular articles, timestamps in insertion order over two years. Rows carry explicit ids
 * (from the given first ids) so that bulk inserts need no round trip to learn them.
 *
 * Pure and streaming: rows come out of generators in id order, so 100k articles never sit in
 * memory at once and the same plan always produces the same rows.
 */

/** Marks seeded accounts, so a reset can delete exactly them (the `.invalid` TLD is reserved). */
export const SEED_EMAIL_DOMAIN = 'seed.invalid';
/** Username of seeded user number `n` (1-based): `seed_000001`. */
export const seedUsername = (n: number) => `seed_${String(n).padStart(6, '0')}`;
export const seedEmail = (n: number) => `${seedUsername(n)}@${SEED_EMAIL_DOMAIN}`;
/** Seeded user 1 follows this many authors (or all others when fewer): the feed benchmark's viewer. */
export const FEED_VIEWER_FOLLOWS = 50;

export interface UserRow {
  id: number;
  email: string;
  username: string;
  bio: string | null;
  image: string | null;
  createdAt: Date;
}
export interface ArticleRow {
  id: number;
  slug: string;
  title: string;
  description: string;
  body: string;
  authorId: number;
  createdAt: Date;
  /** Indexes into {@link SeedDataGenerator.tagNames}, distinct. */
  tagIndexes: number[];
}
export interface FollowRow {
  followerId: number;
  followeeId: number;
  createdAt: Date;
}
export interface FavoriteRow {
  userId: number;
  articleId: number;
  createdAt: Date;
}
export interface CommentRow {
  id: number;
  body: string;
  articleId: number;
  authorId: number;
  createdAt: Date;
}

export interface FirstIds {
  user: number;
  article: number;
  comment: number;
}

const DAY_MS = 86_400_000;
const SPAN_MS = 730 * DAY_MS;

// prettier-ignore
const WORDS = [
  'async', 'cache', 'query', 'index', 'stream', 'render', 'server', 'client', 'module', 'vector',
  'design', 'pattern', 'scale', 'latency', 'thread', 'memory', 'kernel', 'socket', 'packet', 'schema',
  'deploy', 'docker', 'cluster', 'replica', 'backup', 'review', 'testing', 'refactor', 'garden', 'travel',
  'coffee', 'music', 'health', 'career', 'startup', 'product', 'market', 'writing', 'science', 'history',
  'dragons', 'training', 'angular', 'react', 'vue', 'svelte', 'node', 'deno', 'rust', 'golang',
  'python', 'kotlin', 'swift', 'linux', 'security', 'privacy', 'crypto', 'network', 'graph', 'compiler',
  'parser', 'runtime', 'browser', 'mobile', 'gaming', 'physics', 'biology', 'finance', 'economy', 'climate',
  'energy', 'ocean', 'mountain', 'forest', 'city', 'culture', 'language', 'poetry', 'cinema', 'photo',
  'the', 'a', 'of', 'and', 'to', 'in', 'with', 'for', 'on', 'how', 'why', 'what', 'when', 'your', 'our',
  'fast', 'simple', 'hidden', 'modern', 'tiny', 'practical', 'honest', 'better', 'quiet', 'strange',
];
const TOPIC_WORDS = WORDS.slice(0, 80);
const IMAGE = 'https://api.realworld.io/images/smiley-cyrus.jpeg';

/** mulberry32: small, fast, good enough for test data, and reproducible from a 32-bit seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^exponent: rank 0 is the
 * most frequent. Binary search over the cumulative weights.
 */
export function zipfSampler(n: number, exponent: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / Math.pow(rank + 1, exponent);
    cumulative[rank] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

/** A seeded Fisher–Yates permutation of 0..n-1, so popularity does not follow id order. */
function permutation(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** A hash of an integer to [0, 1): per-row jitter that can be recomputed without state. */
function unitHash(value: number, salt: number): number {
  let h = Math.imul(value ^ salt, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4_294_967_296;
}

export class SeedDataGenerator {
  /** Tag names, most used first. */
  readonly tagNames: string[];
  private readonly start: number;
  private readonly articleStep: number;

  constructor(
    private readonly plan: DataPlan,
    private readonly first: FirstIds,
    /** End of the generated timeline (the newest article is just before it). */
    private readonly now: Date,
  ) {
    this.tagNames = Array.from({ length: plan.tags }, (_, i) =>
      i < TOPIC_WORDS.length ? TOPIC_WORDS[i] : `${TOPIC_WORDS[i % TOPIC_WORDS.length]}-${i}`,
    );
    this.start = now.getTime() - SPAN_MS;
    this.articleStep = SPAN_MS / Math.max(plan.articles, 1);
  }

  /** A fresh stream per kind of row, so each kind is reproducible on its own. */
  private random(salt: number) {
    return createRandom((this.plan.randomSeed ^ Math.imul(salt, 0x27d4eb2f)) >>> 0);
  }

  /** Creation time of the article with index `i`: increasing with the id, like real inserts. */
  articleCreatedAt(i: number): Date {
    return new Date(Math.floor(this.start + (i + unitHash(i, 7)) * this.articleStep));
  }

  *users(): Generator<UserRow> {
    const random = this.random(1);
    const { users } = this.plan;
    for (let i = 0; i < users; i++) {
      const n = i + 1;
      yield {
        id: this.first.user + i,
        email: seedEmail(n),
        username: seedUsername(n),
        bio: random() < 0.6 ? sentence(random, 6, 14) : null,
        image: random() < 0.5 ? IMAGE : null,
        // Accounts exist before the articles: spread over the 30 days before the timeline.
        createdAt: new Date(
          this.start - 30 * DAY_MS + Math.floor(((i + 0.5) / users) * 30 * DAY_MS),
        ),
      };
    }
  }

  /** Authors ranked by prolificness (rank 0 writes the most); user index 0 is never rank 0. */
  private authorRanks(): Int32Array {
    const order = permutation(this.plan.users, this.random(2));
    const viewer = order.indexOf(0);
    if (viewer === 0 && order.length > 1) [order[0], order[1]] = [order[1], order[0]];
    return order;
  }

  *articles(): Generator<ArticleRow> {
    const random = this.random(3);
    const byRank = this.authorRanks();
    const author = zipfSampler(byRank.length, 0.9, random);
    const tag = zipfSampler(this.plan.tags, 1.1, random);
    for (let i = 0; i < this.plan.articles; i++) {
      const title = capitalise(sentence(random, 3, 8));
      const tagIndexes = new Set<number>();
      const tagCount = Math.min(Math.floor(random() * 6), this.plan.tags);
      while (tagIndexes.size < tagCount) tagIndexes.add(tag());
      const paragraphs = 1 + Math.floor(random() * 3);
      yield {
        id: this.first.article + i,
        slug: `${slugify(title)}-${(this.first.article + i).toString(36)}`,
        title,
        description: capitalise(sentence(random, 8, 16)),
        body: Array.from({ length: paragraphs }, () => capitalise(sentence(random, 30, 70))).join(
          '\n\n',
        ),
        authorId: this.first.user + byRank[author()],
        createdAt: this.articleCreatedAt(i),
        tagIndexes: [...tagIndexes],
      };
    }
  }

  /**
   * Ordinary users follow about `followsPerUser` authors, popular ones more often; user 1
   * follows the {@link FEED_VIEWER_FOLLOWS} most prolific authors (see {@link authorRanks}).
   */
  *follows(): Generator<FollowRow> {
    const random = this.random(4);
    const { users, followsPerUser } = this.plan;
    if (users < 2) return;
    const byRank = this.authorRanks();
    const popular = zipfSampler(users, 0.9, random);
    const at = () => new Date(this.start + Math.floor(random() * SPAN_MS));
    for (let i = 0; i < users; i++) {
      const followees = new Set<number>();
      if (i === 0) {
        for (let rank = 0; followees.size < Math.min(FEED_VIEWER_FOLLOWS, users - 1); rank++)
          if (byRank[rank] !== 0) followees.add(byRank[rank]);
      } else {
        const target = Math.min(Math.round(random() * 2 * followsPerUser), users - 1);
        while (followees.size < target) {
          const candidate = byRank[popular()];
          if (candidate !== i) followees.add(candidate);
        }
      }
      for (const followee of followees)
        yield {
          followerId: this.first.user + i,
          followeeId: this.first.user + followee,
          createdAt: at(),
        };
    }
  }

  /** Exactly `favorites` distinct (user, article) pairs; popular articles get most of them. */
  *favorites(): Generator<FavoriteRow> {
    const random = this.random(5);
    const { users, articles, favorites } = this.plan;
    if (favorites === 0) return;
    const byPopularity = permutation(articles, this.random(6));
    const article = zipfSampler(articles, 1.0, random);
    const taken = new Set<number>();
    for (let produced = 0; produced < favorites; produced++) {
      const user = Math.floor(random() * users);
      let articleIndex = byPopularity[article()];
      // A popular article this user already favorited: fall back to a uniform pick (the plan
      // caps favorites at half of all pairs, so this ends quickly).
      while (taken.has(user * articles + articleIndex))
        articleIndex = Math.floor(random() * articles);
      taken.add(user * articles + articleIndex);
      const created = this.articleCreatedAt(articleIndex).getTime();
      yield {
        userId: this.first.user + user,
        articleId: this.first.article + articleIndex,
        createdAt: new Date(created + Math.floor(random() * (this.now.getTime() - created))),
      };
    }
  }

  *comments(): Generator<CommentRow> {
    const random = this.random(7);
    const { users, articles, comments } = this.plan;
    if (comments === 0) return;
    const byPopularity = permutation(articles, this.random(6));
    const article = zipfSampler(articles, 0.8, random);
    for (let i = 0; i < comments; i++) {
      const articleIndex = byPopularity[article()];
      const created = this.articleCreatedAt(articleIndex).getTime();
      const window = Math.min(this.now.getTime() - created, 14 * DAY_MS);
      yield {
        id: this.first.comment + i,
        body: capitalise(sentence(random, 5, 40)),
        articleId: this.first.article + articleIndex,
        authorId: this.first.user + Math.floor(random() * users),
        createdAt: new Date(created + Math.floor(random() * window)),
      };
    }
  }
}

function sentence(random: () => number, minWords: number, maxWords: number): string {
  const count = minWords + Math.floor(random() * (maxWords - minWords + 1));
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(WORDS[Math.floor(random() * WORDS.length)]);
  return words.join(' ');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
