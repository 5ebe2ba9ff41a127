import { ValidationError } from '../errors/domain-errors.js';
import type { ListDefinition, SortTerm } from './list-definition.js';

/** `field` or `-field` (descending); a leading `+` (ascending) is accepted too. */
const TERM = /^([-+]?)([A-Za-z][A-Za-z0-9]*)$/;
/** Longest token quoted back in an error message. */
const MAX_QUOTED = 40;

/**
 * Parses `?sort=-createdAt,username` against the list's whitelist. Every defect is a 422 on
 * `sort` whose message quotes the offending term: bad syntax or direction, an unknown field,
 * a field given twice, an empty term.
 */
export function parseSort<T>(raw: string, definition: ListDefinition<T>): SortTerm[] {
  const seen = new Set<string>();
  return raw.split(',').map((token) => {
    // A literal "+" in a query string arrives as a space, hence the trim.
    const trimmed = token.trim();
    if (trimmed === '') throw ValidationError.of('sort', 'contains an empty term');
    const match = TERM.exec(trimmed);
    if (!match) {
      throw ValidationError.of(
        'sort',
        `"${quote(trimmed)}" is not a valid sort term; use "field" or "-field"`,
      );
    }
    const [, sign, field] = match;
    if (!Object.hasOwn(definition.sortable, field)) {
      throw ValidationError.of(
        'sort',
        `cannot sort by "${quote(field)}"; allowed: ${Object.keys(definition.sortable).join(', ')}`,
      );
    }
    if (seen.has(field)) throw ValidationError.of('sort', `lists "${field}" more than once`);
    seen.add(field);
    return { field, direction: sign === '-' ? 'DESC' : 'ASC' };
  });
}

/** The canonical text of a parsed sort, as bound into cursors: `-createdAt,username`. */
export function formatSort(terms: SortTerm[]): string {
  return terms.map((term) => `${term.direction === 'DESC' ? '-' : ''}${term.field}`).join(',');
}

function quote(token: string): string {
  return token.length > MAX_QUOTED ? `${token.slice(0, MAX_QUOTED)}…` : token;
}
