import { randomBytes } from 'node:crypto';

/**
 * Fastify answers 414 to a path parameter longer than 100 characters (`maxParamLength`), so a
 * slug, including the `-xxxxxxxx` suffix a taken slug gets, must fit in 100 characters.
 */
const MAX_SLUG_LENGTH = 100;
const SUFFIX_LENGTH = 9;
const MAX_BASE_LENGTH = MAX_SLUG_LENGTH - SUFFIX_LENGTH;

/**
 * Words that never become a slug, because `/api/articles/<word>` is (or may become) a route
 * of its own: an article slugged `feed` could never be read, `/api/articles/feed` being the
 * feed. The one list: add a word here before adding a route under `/api/articles/`.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'feed',
  'new',
  'edit',
  'search',
  'drafts',
  'trending',
  'favorites',
  'tags',
]);

/** True when `slug` must not be used as it is (see {@link RESERVED_SLUGS}). */
export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug);
}

/** URL-safe slug from a title: lower-case ASCII words joined by dashes ("article" if none). */
export function slugify(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_BASE_LENGTH)
    .replace(/-+$/, '');
  return base || 'article';
}

/** A slug that differs from `base`, used when the base is taken. */
export function suffixedSlug(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}
