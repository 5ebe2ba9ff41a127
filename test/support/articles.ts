import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import type { Api, ApiResponse } from './http.js';
import { registerUser, type RegisteredUser } from './users.js';

export interface ArticleFields {
  title: string;
  description: string;
  body: string;
  tagList?: string[];
}

/** ISO-8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Fresh article fields with a unique title (not sent anywhere). */
export function newArticleFields(overrides: Partial<ArticleFields> = {}): ArticleFields {
  const suffix = randomBytes(4).toString('hex');
  return {
    title: `How to train your dragon ${suffix}`,
    description: 'Ever wonder how?',
    body: 'You have to believe',
    ...overrides,
  };
}

/** POST /api/articles; returns the raw response. */
export function postArticle(
  api: Api,
  token: string | undefined,
  article: unknown,
): Promise<ApiResponse> {
  return api.post('/api/articles', { token, body: { article } });
}

/** Creates an article and returns it (`{ slug, title, … }`); throws unless the API says 201. */
export async function createArticle(
  api: Api,
  author: { token: string },
  overrides: Partial<ArticleFields> = {},
): Promise<any> {
  const response = await postArticle(api, author.token, newArticleFields(overrides));
  if (response.status !== 201)
    throw new Error(`article creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.article;
}

/** Adds a comment and returns it; throws unless the API accepts it. */
export async function createComment(
  api: Api,
  author: { token: string },
  slug: string,
  body = 'His name was my name too.',
): Promise<any> {
  const response = await api.post(`/api/articles/${slug}/comments`, {
    token: author.token,
    body: { comment: { body } },
  });
  if (response.status !== 200)
    throw new Error(`comment creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.comment;
}

/** Follows `username` as `follower`; throws unless the API accepts it. */
export async function follow(api: Api, follower: { token: string }, username: string) {
  const response = await api.post(`/api/profiles/${username}/follow`, { token: follower.token });
  if (response.status !== 200)
    throw new Error(`follow failed: ${response.status} ${JSON.stringify(response.body)}`);
}

/** Favorites `slug` as `user`; throws unless the API accepts it. */
export async function favorite(api: Api, user: { token: string }, slug: string) {
  const response = await api.post(`/api/articles/${slug}/favorite`, { token: user.token });
  if (response.status !== 200)
    throw new Error(`favorite failed: ${response.status} ${JSON.stringify(response.body)}`);
}

/**
 * Runs `work` over `items` with at most `concurrency` calls in flight, returning results in
 * order. Fixtures go through the API this way: fast, yet without flooding the server.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/**
 * Registers `count` users. Registration hashes with argon2, so it runs with bounded
 * parallelism rather than all at once.
 */
export function registerUsers(
  api: Api,
  count: number,
  prefix = 'user',
  concurrency = 8,
): Promise<RegisteredUser[]> {
  return mapWithConcurrency(
    Array.from({ length: count }, (_, index) => index),
    concurrency,
    () => registerUser(api, prefix),
  );
}

/** A profile as the API returns it, with `following` as seen by the caller. */
export function expectProfile(
  profile: unknown,
  user: { username: string },
  following: boolean,
): void {
  expect(profile).toEqual({
    username: user.username,
    bio: null,
    image: null,
    following,
  });
}

const SUMMARY_KEYS = [
  'author',
  'createdAt',
  'description',
  'favorited',
  'favoritesCount',
  'slug',
  'tagList',
  'title',
  'updatedAt',
];

/**
 * Checks the exact RealWorld article shape: the listed keys and nothing else (`body` only for
 * a single article), ISO-8601 timestamps with milliseconds, an integer favorites count, a
 * sorted tag list and a profile-shaped author.
 */
export function expectArticleShape(article: any, options: { withBody: boolean }): void {
  const keys = options.withBody ? [...SUMMARY_KEYS, 'body'].sort() : SUMMARY_KEYS;
  expect(Object.keys(article).sort()).toEqual(keys);
  expect(article.slug).toEqual(expect.any(String));
  expect(article.title).toEqual(expect.any(String));
  expect(article.description).toEqual(expect.any(String));
  if (options.withBody) expect(article.body).toEqual(expect.any(String));
  expect(article.createdAt).toMatch(ISO_TIMESTAMP);
  expect(article.updatedAt).toMatch(ISO_TIMESTAMP);
  expect(Number.isInteger(article.favoritesCount)).toBe(true);
  expect(typeof article.favorited).toBe('boolean');
  expect(Array.isArray(article.tagList)).toBe(true);
  expect(article.tagList).toEqual([...article.tagList].sort());
  expect(Object.keys(article.author).sort()).toEqual(['bio', 'following', 'image', 'username']);
  expect(typeof article.author.following).toBe('boolean');
}

/** Checks the exact RealWorld comment shape. */
export function expectCommentShape(comment: any): void {
  expect(Object.keys(comment).sort()).toEqual(['author', 'body', 'createdAt', 'id', 'updatedAt']);
  expect(Number.isInteger(comment.id)).toBe(true);
  expect(comment.body).toEqual(expect.any(String));
  expect(comment.createdAt).toMatch(ISO_TIMESTAMP);
  expect(comment.updatedAt).toMatch(ISO_TIMESTAMP);
  expect(Object.keys(comment.author).sort()).toEqual(['bio', 'following', 'image', 'username']);
}
