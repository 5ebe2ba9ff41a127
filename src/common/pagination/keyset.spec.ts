import { describe, expect, it } from '@jest/globals';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationError } from '../errors/domain-errors.js';
import {
  applyKeyset,
  keysetColumns,
  type KeysetColumn,
  keyValuesOf,
  selectKeyValues,
} from './keyset.js';
import type { ListDefinition } from './list-definition.js';
import { parseSort } from './sort-parser.js';

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

const columnsFor = (sort: string) => keysetColumns(parseSort(sort, list), list);

/** Records the conditions and selects a query builder receives. */
function recorder() {
  const wheres: Array<{ sql: string; parameters: Record<string, unknown> }> = [];
  const selects: Array<{ expression: string; alias: string }> = [];
  const query = {
    andWhere(sql: string, parameters: Record<string, unknown>) {
      wheres.push({ sql, parameters });
      return query;
    },
    addSelect(expression: string, alias: string) {
      selects.push({ expression, alias });
      return query;
    },
  };
  return { query: query as unknown as SelectQueryBuilder<ObjectLiteral>, wheres, selects };
}

describe('keysetColumns', () => {
  it('appends the id tie-breaker in the direction of the last sort term', () => {
    expect(columnsFor('-createdAt')).toEqual([
      { column: 'user.createdAt', type: 'date', direction: 'DESC' },
      { column: 'user.id', type: 'number', direction: 'DESC' },
    ]);
    expect(columnsFor('-createdAt,username').at(-1)).toEqual({
      column: 'user.id',
      type: 'number',
      direction: 'ASC',
    });
  });

  it('stops at the tie-breaker when the sort names it, since nothing after it can decide', () => {
    expect(columnsFor('-id,username')).toEqual([
      { column: 'user.id', type: 'number', direction: 'DESC' },
    ]);
    expect(columnsFor('username,id').map((column) => column.column)).toEqual([
      'user.username',
      'user.id',
    ]);
  });
});

describe('applyKeyset', () => {
  it('uses one comparison for a single column', () => {
    const { query, wheres } = recorder();
    applyKeyset(query, columnsFor('-id'), [7]);
    expect(wheres).toEqual([
      { sql: 'user.id < :pagination_key_0', parameters: { pagination_key_0: 7 } },
    ]);
  });

  it('uses a row-value comparison when all directions agree, so the index can seek', () => {
    const { query, wheres } = recorder();
    applyKeyset(query, columnsFor('-createdAt'), ['2024-01-01T00:00:00.000001Z', 7]);
    expect(wheres).toEqual([
      {
        sql: '(user.createdAt, user.id) < (:pagination_key_0, :pagination_key_1)',
        parameters: { pagination_key_0: '2024-01-01T00:00:00.000001Z', pagination_key_1: 7 },
      },
    ]);
  });

  it('expands mixed directions, bounded on the leading column', () => {
    const { query, wheres } = recorder();
    applyKeyset(query, columnsFor('-createdAt,username'), ['2024-01-01 00:00:00.000', 'jake', 7]);
    expect(wheres[0].sql).toBe(
      '(user.createdAt <= :pagination_key_0 AND (' +
        '(user.createdAt < :pagination_key_0) OR ' +
        '(user.createdAt = :pagination_key_0 AND user.username > :pagination_key_1) OR ' +
        '(user.createdAt = :pagination_key_0 AND user.username = :pagination_key_1 AND user.id > :pagination_key_2)))',
    );
  });

  it('binds values as parameters, never as SQL text', () => {
    const { query, wheres } = recorder();
    const hostile = "x' OR 1=1 --";
    applyKeyset(query, columnsFor('username'), [hostile, 1]);
    expect(wheres[0].sql).not.toContain(hostile);
    expect(wheres[0].parameters).toEqual({ pagination_key_0: hostile, pagination_key_1: 1 });
  });

  it.each<[string, Array<number | string>]>([
    ['a date that is not a timestamp', ['yesterday', 1]],
    ['a date given as a number', [1704067200000, 1]],
    ['an id that is not numeric', ['2024-01-01T00:00:00Z', 'abc']],
    ['too few values', ['2024-01-01T00:00:00Z']],
    ['too many values', ['2024-01-01T00:00:00Z', 1, 2]],
  ])('rejects %s with a 422 on cursor', (_label, values) => {
    const { query } = recorder();
    expect(() => applyKeyset(query, columnsFor('-createdAt'), values)).toThrow(ValidationError);
  });

  it('rejects a number where a string column is expected', () => {
    const { query } = recorder();
    expect(() => applyKeyset(query, columnsFor('username'), [5, 1])).toThrow(ValidationError);
  });
});

describe('selectKeyValues', () => {
  const columns: KeysetColumn[] = columnsFor('-createdAt');

  it('reads PostgreSQL timestamps as UTC text with microseconds', () => {
    const { query, selects } = recorder();
    selectKeyValues(query, columns, 'postgres');
    expect(selects).toEqual([
      {
        expression: `to_char(user.createdAt AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
        alias: 'pagination_key_0',
      },
      { expression: '(user.id)', alias: 'pagination_key_1' },
    ]);
  });

  it('reads SQLite timestamps as stored', () => {
    const { query, selects } = recorder();
    selectKeyValues(query, columns, 'sqlite');
    expect(selects[0]).toEqual({ expression: '(user.createdAt)', alias: 'pagination_key_0' });
  });
});

describe('keyValuesOf', () => {
  const columns = columnsFor('-createdAt');

  it('reads the selected key values of a raw row', () => {
    const raw = { pagination_key_0: '2024-01-01 00:00:00.000', pagination_key_1: 3, other: 'x' };
    expect(keyValuesOf(raw, columns)).toEqual(['2024-01-01 00:00:00.000', 3]);
  });

  it('fails loudly (a programming error, not a 422) when a key column is NULL', () => {
    expect(() => keyValuesOf({ pagination_key_0: null, pagination_key_1: 3 }, columns)).toThrow(
      /user\.createdAt returned NULL/,
    );
  });
});
