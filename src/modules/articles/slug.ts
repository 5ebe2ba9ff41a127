import { randomBytes } from 'node:crypto';

/**
 * Fastify answers 414 to a path parameter longer than 100 characters (`maxParamLength`), so a
 * slug, including the `-xxxxxxxx` suffix a taken slug gets, must fit in 100 characters.
 */
const MAX_SLUG_LENGTH = 100;
const SUFFIX_LENGTH = 9;
const MAX_BASE_LENGTH = MAX_SLUG_LENGTH - SUFFIX_LENGTH;

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
