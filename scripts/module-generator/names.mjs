/**
 * Name validation and derivation for `npm run generate:module -- <name>`. Pure functions (no
 * file system), so scripts/module-generator/generator.spec.mjs can test every rule.
 */

/** Kebab-case: lowercase words of letters and digits, joined by single hyphens. */
const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_LENGTH = 30;

/**
 * Words a module may not be named (singular or plural form), each with the reason:
 * - JavaScript/TypeScript keywords: the camelCase name becomes a variable and a query alias;
 * - SQL keywords: the singular name is the query-builder alias (`bookmark.title`), and the plural
 *   the table name, so they must not need quoting on SQLite or PostgreSQL;
 * - names of the house: identifiers the generated files import or declare, and folders or routes
 *   that already mean something (`/api/user`, `/docs`, `/metrics`, `src/common`).
 */
const RESERVED = new Map([
  ...words(
    'a JavaScript keyword',
    `
    await break case catch class const continue debugger default delete do else enum
    export extends false finally for function if implements import in instanceof interface
    let new null package private protected public return static super switch this throw
    true try typeof var void while with yield arguments eval undefined object string
    number boolean symbol type any
    `,
  ),
  ...words(
    'an SQL keyword',
    `
    all analyse analyze and as asc between by check column constraint create cross current
    date desc distinct drop end except exists from full grant group having index inner
    insert intersect into is join key left like limit natural not offset on or order outer
    primary references right row select set table then time timestamp to transaction union
    unique update user using values view when where window
    `,
  ),
  ...words(
    'a name the generated code or the app already uses',
    `
    api app auth body builder caller changes common config controller database docs dto
    entities entity field fields found health id injectable manager metrics migration
    module owner page paginator param patch query relation repository service src test
    timestamped title list item items
    `,
  ),
]);

/** Map entries `[word, reason]` from a whitespace-separated list. */
function words(reason, list) {
  return list
    .trim()
    .split(/\s+/)
    .map((word) => [word, reason]);
}

/** An invalid module name; the CLI prints the message and exits 1. */
export class ModuleNameError extends Error {
  name = 'ModuleNameError';
}

/** `reading-list` → `readingList`. */
export const camel = (kebab) => kebab.replace(/-([a-z0-9])/g, (_, char) => char.toUpperCase());
/** `reading-list` → `ReadingList`. */
export const pascal = (kebab) => camel(kebab).replace(/^[a-z]/, (char) => char.toUpperCase());
/** `reading-list` → `reading_list`. */
export const snake = (kebab) => kebab.replaceAll('-', '_');

/** English plural of the last word: `category` → `categories`, `box` → `boxes`. */
export function pluralize(kebab) {
  if (/[^aeiou]y$/.test(kebab)) return `${kebab.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/.test(kebab)) return `${kebab}es`;
  return `${kebab}s`;
}

/**
 * English singular of the last word, or the word itself when it does not look plural:
 * `categories` → `category`, `boxes` → `box`, `bookmarks` → `bookmark`, `status` → `status`.
 */
export function singularize(kebab) {
  if (/[^aeiou]ies$/.test(kebab)) return `${kebab.slice(0, -3)}y`;
  if (/(?:ss|x|z|ch|sh)es$/.test(kebab)) return kebab.slice(0, -2);
  if (/[^su]s$/.test(kebab) && !/(?:is|ss)$/.test(kebab)) return kebab.slice(0, -1);
  return kebab;
}

function checkKebab(value, what) {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ModuleNameError(`${what} is missing`);
  }
  if (!KEBAB.test(value)) {
    throw new ModuleNameError(
      `${what} "${value}" is not kebab-case: use lowercase letters, digits and single hyphens, ` +
        'starting with a letter (e.g. bookmarks, reading-lists)',
    );
  }
  if (value.length > MAX_LENGTH) {
    throw new ModuleNameError(
      `${what} "${value}" is longer than ${MAX_LENGTH} characters (index names must fit PostgreSQL's 63)`,
    );
  }
}

/**
 * Every name the templates need, from the name typed on the command line (singular or plural).
 * `overrides.singular` / `overrides.plural` fix irregular words (`--singular person --plural people`).
 * Throws {@link ModuleNameError} for a name that is malformed or reserved.
 *
 * @param {string} input
 * @param {{ singular?: string, plural?: string }} [overrides]
 */
export function deriveNames(input, overrides = {}) {
  checkKebab(input, 'module name');
  if (overrides.singular !== undefined) checkKebab(overrides.singular, '--singular');
  if (overrides.plural !== undefined) checkKebab(overrides.plural, '--plural');

  const looksPlural = singularize(input) !== input;
  const singular = overrides.singular ?? (looksPlural ? singularize(input) : input);
  const plural = overrides.plural ?? (looksPlural ? input : pluralize(input));
  if (singular === plural) {
    throw new ModuleNameError(
      `"${input}" has the same singular and plural form; pass --singular and --plural (e.g. --singular news-item --plural news-items)`,
    );
  }
  for (const form of new Set([input, singular, plural])) {
    const reason = RESERVED.get(form);
    if (reason) {
      throw new ModuleNameError(
        `"${form}" is reserved (${reason}); choose a more specific name, e.g. "my-${plural}"`,
      );
    }
  }

  const words = singular.split('-');
  const label = words.join(' ');
  const labels = plural.split('-').join(' ');
  return {
    /** bookmark, reading-list: file names of one item (`bookmark.entity.ts`). */
    kebab: singular,
    /** bookmarks, reading-lists: module folder, route (`/api/reading-lists`), e2e file. */
    kebabs: plural,
    /** Bookmark, ReadingList: entity class. */
    Entity: pascal(singular),
    /** Bookmarks, ReadingLists: module, controller, service class prefix. */
    Entities: pascal(plural),
    /** bookmark, readingList: body wrapper key, query alias, variables. */
    entity: camel(singular),
    /** bookmarks, readingLists: list response key, repository field. */
    entities: camel(plural),
    /** BOOKMARK, READING_LIST: constants. */
    ENTITY: snake(singular).toUpperCase(),
    /** bookmarks, reading_lists: table name. */
    table: snake(plural),
    /** bookmark, reading list: prose and error messages (`bookmark "7" not found`). */
    label,
    /** bookmarks, reading lists: prose. */
    labels,
    /** Bookmarks, Reading lists: Swagger tag. */
    Tag: labels.charAt(0).toUpperCase() + labels.slice(1),
  };
}
