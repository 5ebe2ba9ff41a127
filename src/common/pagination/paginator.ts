import { Injectable } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppConfig } from '../../config/app.config.js';
import { ValidationError } from '../errors/domain-errors.js';
import { CursorCodec } from './cursor-codec.js';
import type { ListDefinition, Page, SortTerm } from './list-definition.js';
import type { ListQueryDto } from './list-query.dto.js';

/**
 * The one pagination engine. Given a filtered query builder, a list definition and the client's
 * query, it applies the whitelisted sort (with the id tie-breaker), offset or keyset paging and
 * the configured maximum page size, and returns the rows with `total` and `nextCursor`.
 */
@Injectable()
export class Paginator {
  private readonly codec: CursorCodec;

  constructor(private readonly config: AppConfig) {
    this.codec = new CursorCodec(config.auth.jwtSecret);
  }

  async paginate<T extends ObjectLiteral>(
    query: SelectQueryBuilder<T>,
    params: ListQueryDto,
    definition: ListDefinition<T>,
    options: { withTotal?: boolean } = {},
  ): Promise<Page<T>> {
    const limit = this.resolveLimit(params.limit);
    const sort = parseSort(params.sort ?? definition.defaultSort, definition);
    const sortKey = sort
      .map((term) => `${term.direction === 'DESC' ? '-' : ''}${term.field}`)
      .join(',');
    if (params.cursor !== undefined && params.offset !== undefined) {
      throw ValidationError.of('cursor', 'cannot be combined with offset');
    }

    const withTotal = options.withTotal ?? params.cursor === undefined;
    const total = withTotal ? await query.clone().getCount() : -1;

    const offset = params.offset ?? 0;
    if (params.cursor !== undefined) {
      const cursor = this.codec.decode(params.cursor);
      if (
        cursor.list !== definition.name ||
        cursor.sort !== sortKey ||
        cursor.values.length !== sort.length + 1
      ) {
        throw ValidationError.of('cursor', 'does not belong to this list and sort');
      }
      applyKeyset(query, sort, definition, cursor.values, this.dialect);
    } else if (offset > 0) {
      query.offset(offset);
    }

    sort.forEach((term, index) => {
      const column = definition.sortable[term.field].column;
      if (index === 0) query.orderBy(column, term.direction);
      else query.addOrderBy(column, term.direction);
    });
    const lastDirection = sort.at(-1)?.direction ?? 'ASC';
    query.addOrderBy(definition.tieBreaker.column, lastDirection);
    query.limit(limit + 1);

    const rows = await query.getMany();
    const hasMore = rows.length > limit;
    const items = hasMore ? rows.slice(0, limit) : rows;
    const last = items.at(-1);
    const nextCursor =
      hasMore && last
        ? this.codec.encode({
            list: definition.name,
            sort: sortKey,
            values: [
              ...sort.map((term) => cursorValue(definition.sortable[term.field].value(last))),
              definition.tieBreaker.value(last),
            ],
          })
        : null;
    return { items, total, limit, offset, nextCursor };
  }

  private get dialect(): 'postgres' | 'sqlite' {
    return this.config.database.type;
  }

  private resolveLimit(limit: number | undefined): number {
    const { defaultLimit, maxLimit } = this.config.pagination;
    if (limit === undefined) return defaultLimit;
    if (limit > maxLimit) throw ValidationError.of('limit', `must not be greater than ${maxLimit}`);
    return limit;
  }
}

/** Parses `-createdAt,username` against the whitelist; unknown fields are a 422 naming them. */
export function parseSort<T>(raw: string, definition: ListDefinition<T>): SortTerm[] {
  const seen = new Set<string>();
  return raw.split(',').map((token) => {
    const trimmed = token.trim();
    const direction = trimmed.startsWith('-') ? 'DESC' : 'ASC';
    const field = trimmed.replace(/^[-+]/, '');
    if (!Object.hasOwn(definition.sortable, field)) {
      throw ValidationError.of(
        'sort',
        `cannot sort by "${field}"; allowed: ${Object.keys(definition.sortable).join(', ')}`,
      );
    }
    if (seen.has(field)) throw ValidationError.of('sort', `lists "${field}" twice`);
    seen.add(field);
    return { field, direction };
  });
}

function cursorValue(value: number | string | Date): number | string {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * Adds the keyset condition "row comes after the cursor" for a mixed-direction sort:
 * (a > :a) OR (a = :a AND b > :b) OR … ending with the tie-breaker. Values are bound parameters.
 */
function applyKeyset<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  sort: SortTerm[],
  definition: ListDefinition<T>,
  values: Array<number | string>,
  dialect: 'postgres' | 'sqlite',
): void {
  const keys = [
    ...sort.map((term) => ({ ...definition.sortable[term.field], direction: term.direction })),
    {
      column: definition.tieBreaker.column,
      type: typeof values.at(-1) === 'number' ? ('number' as const) : ('string' as const),
      direction: sort.at(-1)?.direction ?? 'ASC',
    },
  ];
  const parameters: Record<string, unknown> = {};
  keys.forEach((key, index) => {
    parameters[`keyset_${index}`] = bindValue(values[index], key.type, dialect);
  });
  const branches = keys.map((key, index) => {
    const equalities = keys
      .slice(0, index)
      .map((previous, i) => `${previous.column} = :keyset_${i}`);
    const comparison = `${key.column} ${key.direction === 'DESC' ? '<' : '>'} :keyset_${index}`;
    return `(${[...equalities, comparison].join(' AND ')})`;
  });
  query.andWhere(`(${branches.join(' OR ')})`, parameters);
}

function bindValue(
  value: number | string,
  type: 'number' | 'string' | 'date',
  dialect: 'postgres' | 'sqlite',
) {
  if (type === 'number') {
    if (typeof value !== 'number')
      throw ValidationError.of('cursor', 'is malformed or was tampered with');
    return value;
  }
  if (type === 'date') {
    const date = new Date(value);
    if (Number.isNaN(date.getTime()))
      throw ValidationError.of('cursor', 'is malformed or was tampered with');
    // SQLite stores timestamps as UTC text "YYYY-MM-DD HH:MM:SS.SSS"; compare in that format.
    return dialect === 'sqlite' ? date.toISOString().replace('T', ' ').replace('Z', '') : date;
  }
  return String(value);
}
