import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../errors/domain-errors.js';
import type { ListDefinition } from './list-definition.js';
import { formatSort, parseSort } from './sort-parser.js';

const list: ListDefinition<{ id: number; createdAt: Date; username: string }> = {
  name: 'users',
  defaultSort: '-createdAt',
  sortable: {
    createdAt: { column: 'user.createdAt', type: 'date' },
    username: { column: 'user.username', type: 'string' },
    id: { column: 'user.id', type: 'number' },
  },
  tieBreaker: { column: 'user.id' },
};

/** The messages of the 422 that parsing `raw` throws. */
function sortErrors(raw: string): string[] {
  try {
    parseSort(raw, list);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const fields = (error as ValidationError).fields;
    expect(Object.keys(fields)).toEqual(['sort']);
    return fields.sort;
  }
  throw new Error(`"${raw}" was accepted`);
}

describe('parseSort', () => {
  it('reads fields in order, "-" meaning descending', () => {
    expect(parseSort('-createdAt,username', list)).toEqual([
      { field: 'createdAt', direction: 'DESC' },
      { field: 'username', direction: 'ASC' },
    ]);
  });

  it('accepts "+" for ascending, also when the query string turned it into a space', () => {
    expect(parseSort('+username', list)).toEqual([{ field: 'username', direction: 'ASC' }]);
    expect(parseSort(' username', list)).toEqual([{ field: 'username', direction: 'ASC' }]);
  });

  it('names an unknown field and lists the allowed ones', () => {
    expect(sortErrors('-createdAt,password')).toEqual([
      'cannot sort by "password"; allowed: createdAt, username, id',
    ]);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty'])(
    'does not mistake the inherited property %s for a whitelisted field',
    (field) => {
      expect(sortErrors(field)[0]).toContain(`"${field}"`);
    },
  );

  it.each([
    '--createdAt',
    'createdAt:desc',
    '~createdAt',
    'created_at',
    'user.createdAt',
    '-',
    'createdAt desc',
    '__proto__',
    '1createdAt',
  ])('names the malformed term %j', (token) => {
    expect(sortErrors(`username,${token}`)).toEqual([
      `"${token}" is not a valid sort term; use "field" or "-field"`,
    ]);
  });

  it('names a field given twice, whatever the directions', () => {
    expect(sortErrors('createdAt,username,-createdAt')).toEqual([
      'lists "createdAt" more than once',
    ]);
  });

  it.each(['', ',', 'username,', ',username', 'username,,id'])(
    'rejects the empty term in %j',
    (raw) => {
      expect(sortErrors(raw)).toEqual(['contains an empty term']);
    },
  );

  it('shortens a very long token when quoting it back', () => {
    const [message] = sortErrors('x'.repeat(150));
    expect(message).toBe(`cannot sort by "${'x'.repeat(40)}…"; allowed: createdAt, username, id`);
  });
});

describe('formatSort', () => {
  it('writes the canonical form bound into cursors', () => {
    expect(formatSort(parseSort(' createdAt,-username', list))).toBe('createdAt,-username');
  });
});
