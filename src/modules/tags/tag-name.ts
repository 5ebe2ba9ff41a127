/**
 * How tag names are compared and stored: Unicode NFKC (so "ｄｒａｇｏｎｓ" and "dragons", or
 * "ﬁre" and "fire", are one tag), trimmed, and case-folded (so "Dragons" and "dragons" are one
 * tag; upper- then lower-casing folds "ß" and "SS", "σ" and a final "ς" alike). Stored in this form, so the
 * unique index on `tags.name` makes every spelling of a tag one row.
 */
export function normalizeTag(name: string): string {
  return name.normalize('NFKC').trim().toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * Characters no tag may contain: control and format characters (zero-width spaces and joiners,
 * bidirectional embeddings, overrides and isolates, the BOM, soft hyphens), private-use and
 * unassigned code points, line and paragraph separators, and the blank-looking fillers
 * (Hangul fillers, braille blank, Mongolian vowel separator, variation selectors). They would
 * make tags that look identical but differ, or reorder the text around them on screen.
 */
const INVISIBLE_OR_BIDI =
  /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Variation_Selector}\u115F\u3164\uFFA0\u2800\u180E]|\u1160/u;

/** True when `name` holds an invisible or bidirectional-control character. */
export function hasInvisibleCharacters(name: string): boolean {
  return INVISIBLE_OR_BIDI.test(name);
}
