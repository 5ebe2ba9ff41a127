import { describe, expect, it } from '@jest/globals';
import { isReservedSlug, RESERVED_SLUGS, slugify, suffixedSlug } from './slug.js';

describe('slugs', () => {
  it('reserves "feed", the route that would shadow such an article', () => {
    expect(isReservedSlug('feed')).toBe(true);
    expect(RESERVED_SLUGS.has('feed')).toBe(true);
  });

  it.each(['Feed', ' feed ', 'FEED!', 'Féed'])(
    'slugifies %j to a reserved word, which the service must replace',
    (title) => {
      expect(isReservedSlug(slugify(title))).toBe(true);
    },
  );

  it('keeps ordinary slugs and suffixed variants of reserved words usable', () => {
    expect(isReservedSlug('feed-reader')).toBe(false);
    expect(isReservedSlug(suffixedSlug('feed'))).toBe(false);
    expect(suffixedSlug('feed')).toMatch(/^feed-[0-9a-f]{8}$/);
  });
});
