import { describe, expect, it } from '@jest/globals';
import { slugify } from '../../modules/articles/slug.js';
import type { DataPlan } from './seed-args.js';
import {
  createRandom,
  FEED_VIEWER_FOLLOWS,
  SEED_EMAIL_DOMAIN,
  SeedDataGenerator,
  zipfSampler,
} from './seed-data.js';

const plan: DataPlan = {
  users: 200,
  articles: 2000,
  comments: 1500,
  favorites: 3000,
  tags: 40,
  followsPerUser: 5,
  randomSeed: 7,
};
const first = { user: 11, article: 101, comment: 1001 };
const now = new Date('2026-01-01T00:00:00Z');
const generator = () => new SeedDataGenerator(plan, first, now);

describe('zipfSampler', () => {
  it('makes rank 0 the most frequent and the tail rare', () => {
    const sample = zipfSampler(100, 1.1, createRandom(1));
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 20_000; i++) counts[sample()]++;
    expect(counts[0]).toBeGreaterThan(counts[1]);
    expect(counts[1]).toBeGreaterThan(counts[10]);
    expect(counts[0]).toBeGreaterThan(20 * counts[99]);
    expect(counts.every((count, rank) => rank === 0 || count <= counts[0])).toBe(true);
  });
});

describe('SeedDataGenerator', () => {
  it('produces the same rows for the same plan and seed, and others for another seed', () => {
    const once = [...generator().articles()].slice(0, 50);
    expect([...generator().articles()].slice(0, 50)).toEqual(once);
    const other = new SeedDataGenerator({ ...plan, randomSeed: 8 }, first, now);
    expect([...other.articles()].slice(0, 50)).not.toEqual(once);
  });

  it('numbers users from the first id with recognisable seed emails', () => {
    const users = [...generator().users()];
    expect(users).toHaveLength(plan.users);
    expect(users[0]).toMatchObject({ id: 11, username: 'seed_000001' });
    expect(users.every((user) => user.email.endsWith(`@${SEED_EMAIL_DOMAIN}`))).toBe(true);
    expect(new Set(users.map((user) => user.username)).size).toBe(plan.users);
  });

  it('writes articles with unique URL-safe slugs, existing authors and increasing dates', () => {
    const articles = [...generator().articles()];
    expect(articles).toHaveLength(plan.articles);
    expect(new Set(articles.map((article) => article.slug)).size).toBe(plan.articles);
    for (const article of articles) {
      expect(article.slug.length).toBeLessThanOrEqual(100);
      expect(slugify(article.slug)).toBe(article.slug);
      expect(article.authorId).toBeGreaterThanOrEqual(first.user);
      expect(article.authorId).toBeLessThan(first.user + plan.users);
      expect(new Set(article.tagIndexes).size).toBe(article.tagIndexes.length);
    }
    const times = articles.map((article) => article.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.at(-1)!).toBeLessThan(now.getTime());
  });

  it('skews authorship and tags: the busiest author and tag far exceed the median', () => {
    const articles = [...generator().articles()];
    const perAuthor = countBy(articles.map((article) => article.authorId));
    const perTag = countBy(articles.flatMap((article) => article.tagIndexes));
    expect(max(perAuthor)).toBeGreaterThan(5 * median(perAuthor));
    expect(perTag.get(0)).toBe(max(perTag));
    expect(max(perTag)).toBeGreaterThan(5 * median(perTag));
  });

  it('makes user 1 follow 50 distinct authors who have articles, and nobody follow themselves', () => {
    const follows = [...generator().follows()];
    const viewer = follows.filter((follow) => follow.followerId === first.user);
    const authors = new Set([...generator().articles()].map((article) => article.authorId));
    expect(viewer).toHaveLength(FEED_VIEWER_FOLLOWS);
    expect(viewer.every((follow) => authors.has(follow.followeeId))).toBe(true);
    expect(follows.every((follow) => follow.followerId !== follow.followeeId)).toBe(true);
    const pairs = follows.map((follow) => `${follow.followerId}:${follow.followeeId}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('gives exactly the planned distinct favorites, after the article was written', () => {
    const created = new Map([...generator().articles()].map((a) => [a.id, a.createdAt]));
    const favorites = [...generator().favorites()];
    expect(favorites).toHaveLength(plan.favorites);
    const pairs = new Set(favorites.map((favorite) => `${favorite.userId}:${favorite.articleId}`));
    expect(pairs.size).toBe(plan.favorites);
    for (const favorite of favorites)
      expect(favorite.createdAt.getTime()).toBeGreaterThanOrEqual(
        created.get(favorite.articleId)!.getTime(),
      );
  });

  it('puts comments on existing articles after they were written, with sequential ids', () => {
    const created = new Map([...generator().articles()].map((a) => [a.id, a.createdAt]));
    const comments = [...generator().comments()];
    expect(comments.map((comment) => comment.id)).toEqual(
      Array.from({ length: plan.comments }, (_, i) => first.comment + i),
    );
    for (const comment of comments) {
      expect(created.has(comment.articleId)).toBe(true);
      expect(comment.createdAt.getTime()).toBeGreaterThanOrEqual(
        created.get(comment.articleId)!.getTime(),
      );
    }
  });
});

function countBy(values: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
const max = (counts: Map<number, number>) => Math.max(...counts.values());
function median(counts: Map<number, number>): number {
  const sorted = [...counts.values()].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
