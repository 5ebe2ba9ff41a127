import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { invalidCursor, type CursorValue } from './cursor-codec.js';
import type { KeyType, ListDefinition, SortDirection, SortTerm } from './list-definition.js';

/** One column of the keyset: a sort term or the tie-breaker. */
export interface KeysetColumn {
  column: string;
  type: KeyType;
  direction: SortDirection;
}

export type Dialect = 'postgres' | 'sqlite';

/** Prefix of the parameters and select aliases the paginator adds; callers must not use it. */
const PREFIX = 'pagination_key_';

/** The parameter name and select alias of the keyset column at `index`. */
export const keyAlias = (index: number) => `${PREFIX}${index}`;

/** PostgreSQL date values travel as UTC ISO-8601 text with microseconds (timestamptz precision). */
const POSTGRES_DATE_TEXT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
/** Dates as either dialect hands them out: `2024-01-01T00:00:00.000123Z`, `2024-01-01 00:00:00.000`. */
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?$/;
const NUMBER_TEXT = /^-?\d{1,30}(\.\d{1,30})?$/;

/**
 * The sort terms followed by the tie-breaker, which takes the last term's direction so that a
 * uniform sort (e.g. `created_at DESC, id DESC`) can be read from a `(created_at, id)` index in
 * one direction. Stops at the tie-breaker column if the sort already names it (`?sort=id`):
 * terms after a unique column can never decide anything.
 */
export function keysetColumns<T>(sort: SortTerm[], definition: ListDefinition<T>): KeysetColumn[] {
  const columns: KeysetColumn[] = [];
  for (const term of sort) {
    const field = definition.sortable[term.field];
    columns.push({ column: field.column, type: field.type, direction: term.direction });
    if (field.column === definition.tieBreaker.column) return columns;
  }
  return [
    ...columns,
    {
      column: definition.tieBreaker.column,
      type: definition.tieBreaker.type ?? 'number',
      direction: sort.at(-1)?.direction ?? 'ASC',
    },
  ];
}

/** Applies ORDER BY for the keyset columns, replacing any order the caller set. */
export function applyOrder<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  columns: KeysetColumn[],
): void {
  columns.forEach((key, index) => {
    if (index === 0) query.orderBy(key.column, key.direction);
    else query.addOrderBy(key.column, key.direction);
  });
}

/**
 * Selects every keyset column again under an alias, as raw values, so the next cursor holds
 * exactly what the database compares: PostgreSQL timestamps keep their microseconds as text,
 * SQLite timestamps are their stored text.
 */
export function selectKeyValues<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  columns: KeysetColumn[],
  dialect: Dialect,
): void {
  columns.forEach((key, index) => {
    const expression =
      key.type === 'date' && dialect === 'postgres'
        ? `to_char(${key.column} AT TIME ZONE 'UTC', ${POSTGRES_DATE_TEXT})`
        : // Parenthesised so TypeORM does not take it for a partial selection of the entity.
          `(${key.column})`;
    query.addSelect(expression, keyAlias(index));
  });
}

/** Reads the keyset values of one raw result row (see {@link selectKeyValues}). */
export function keyValuesOf(raw: Record<string, unknown>, columns: KeysetColumn[]): CursorValue[] {
  return columns.map((key, index) => {
    const value = raw[keyAlias(index)];
    if (typeof value === 'number' || typeof value === 'string') return value;
    if (typeof value === 'bigint') return value.toString();
    throw new Error(
      `pagination: ${key.column} returned ${value === null ? 'NULL' : typeof value}; keyset columns must be NOT NULL numbers, strings or timestamps`,
    );
  });
}

/**
 * Adds "comes after the cursor row" as bound parameters, written so the database can seek
 * with the composite index instead of scanning and filtering:
 * - uniform directions: a row-value comparison `(a, b, id) < (:a, :b, :id)`;
 * - mixed directions: `a <= :a AND (a < :a OR (a = :a AND b > :b) OR …)`, whose first part
 *   still bounds an index range on the leading column.
 * Throws a 422 if a value does not fit its column's type.
 */
export function applyKeyset<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  columns: KeysetColumn[],
  values: CursorValue[],
): void {
  assertKeyValues(columns, values);
  const parameters = keysetParameters(values);
  const param = (index: number) => `:${keyAlias(index)}`;
  const after = (key: KeysetColumn) => (key.direction === 'DESC' ? '<' : '>');

  if (columns.every((key) => key.direction === columns[0].direction)) {
    const operator = after(columns[0]);
    const condition =
      columns.length === 1
        ? `${columns[0].column} ${operator} ${param(0)}`
        : `(${columns.map((key) => key.column).join(', ')}) ${operator} (${columns.map((_, index) => param(index)).join(', ')})`;
    query.andWhere(condition, parameters);
    return;
  }

  const branches = columns.map((key, index) => {
    const equalities = columns
      .slice(0, index)
      .map((previous, i) => `${previous.column} = ${param(i)}`);
    return `(${[...equalities, `${key.column} ${after(key)} ${param(index)}`].join(' AND ')})`;
  });
  const leading = `${columns[0].column} ${after(columns[0])}= ${param(0)}`;
  query.andWhere(`(${leading} AND (${branches.join(' OR ')}))`, parameters);
}

/** The cursor's values as the parameters that {@link applyKeyset}'s condition names. */
export function keysetParameters(values: CursorValue[]): Record<string, CursorValue> {
  const parameters: Record<string, CursorValue> = {};
  values.forEach((value, index) => (parameters[keyAlias(index)] = value));
  return parameters;
}

/** Throws a 422 on `cursor` unless there is one value per column, each fitting its type. */
export function assertKeyValues(columns: KeysetColumn[], values: CursorValue[]): void {
  if (
    values.length !== columns.length ||
    columns.some((key, index) => !fitsType(values[index], key.type))
  ) {
    throw invalidCursor();
  }
}

function fitsType(value: CursorValue, type: KeyType): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' || NUMBER_TEXT.test(value);
    case 'string':
      return typeof value === 'string';
    case 'date':
      return typeof value === 'string' && DATE_TEXT.test(value);
  }
}
