import { Injectable } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppConfig } from '../../config/app.config.js';
import { type FieldErrors, ValidationError } from '../errors/domain-errors.js';
import type { CompiledList, ListFilter } from './compiled-list.js';
import { CursorCodec, type CursorPayload } from './cursor-codec.js';
import {
  applyKeyset,
  applyOrder,
  assertKeyValues,
  type Dialect,
  keyAlias,
  type KeysetColumn,
  keysetColumns,
  keysetParameters,
  keyValuesOf,
  selectKeyValues,
} from './keyset.js';
import type { ListDefinition, Page, PaginateOptions } from './list-definition.js';
import type { ListQueryDto } from './list-query.dto.js';
import { formatSort, parseSort } from './sort-parser.js';

export { parseSort } from './sort-parser.js';

/** The checked form of a client's paging parameters. */
interface PageRequest {
  limit: number;
  offset: number;
  /** Canonical sort, as bound into cursors. */
  sortKey: string;
  /** The sort terms plus the tie-breaker. */
  columns: KeysetColumn[];
  cursor: CursorPayload | undefined;
}

/**
 * The one pagination engine. Given a filtered query builder, a list definition and the client's
 * query, it applies the whitelisted sort (with the id tie-breaker), offset or keyset paging and
 * the configured maximum page size, and returns the rows with `total` and `nextCursor`.
 *
 * The query builder must produce one row per item: join to-one relations only, and filter
 * to-many relations with a subquery (`article.id IN (SELECT …)`).
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
    options: PaginateOptions = {},
  ): Promise<Page<T>> {
    const request = this.check(params, definition);
    const total = (options.withTotal ?? true) ? await (options.total?.() ?? countRows(query)) : -1;

    const { columns } = request;
    if (request.cursor) applyKeyset(query, columns, request.cursor.values);
    else if (request.offset > 0) query.offset(request.offset);
    applyOrder(query, columns);
    selectKeyValues(query, columns, dialectOf(query));
    query.limit(request.limit + 1);

    const { entities, raw } = await query.getRawAndEntities();
    if (raw.length !== entities.length) {
      throw new Error(
        `pagination: list "${definition.name}" returned ${raw.length} rows for ${entities.length} items; join to-one relations only`,
      );
    }
    return this.pageOf(entities, raw, request, definition.name, total);
  }

  /**
   * {@link paginate} for a hot list: each statement is built once per shape of request (the
   * filters given, the sort, cursor or not) and then run as plain SQL with the request's
   * values. Items are the raw rows under the aliases the filtered query selects: no entity
   * hydration, so select plain columns with explicit aliases (as for CompiledSelect).
   */
  async paginateCompiled<T extends ObjectLiteral, Row extends ObjectLiteral>(
    list: CompiledList<T>,
    filter: ListFilter<T>,
    params: ListQueryDto,
    options: PaginateOptions = {},
  ): Promise<Page<Row>> {
    const { definition } = list;
    const request = this.check(params, definition);
    const total =
      (options.withTotal ?? true) ? await (options.total?.() ?? countCompiled(list, filter)) : -1;

    const { columns, cursor, limit, offset } = request;
    const sql = list.sql(
      `page:${filter.shape}:${request.sortKey}:${cursor ? 'cursor' : 'offset'}`,
      () => {
        const query = filter.build();
        if (cursor) applyKeyset(query, columns, cursor.values);
        applyOrder(query, columns);
        selectKeyValues(query, columns, dialectOf(query));
        return query;
      },
    );
    // As the query builder writes them for PostgreSQL and SQLite: literals (checked integers),
    // so they stay out of the stored statement.
    const paging =
      !cursor && offset > 0 ? ` LIMIT ${limit + 1} OFFSET ${offset}` : ` LIMIT ${limit + 1}`;
    const parameters = cursor
      ? { ...filter.parameters, ...keysetParameters(cursor.values) }
      : filter.parameters;
    const rows = await list.run<Row>(sql + paging, parameters);
    assertOneRowPerItem(rows, columns, definition.name);
    return this.pageOf(rows, rows, request, definition.name, total);
  }

  /** The first `limit` items, with the cursor of the last one when more rows followed. */
  private pageOf<Item>(
    items: Item[],
    raw: Array<Record<string, unknown>>,
    request: PageRequest,
    list: string,
    total: number,
  ): Page<Item> {
    const hasMore = items.length > request.limit;
    const nextCursor = hasMore
      ? this.codec.encode({
          list,
          sort: request.sortKey,
          values: keyValuesOf(raw[request.limit - 1], request.columns),
        })
      : null;
    return {
      items: hasMore ? items.slice(0, request.limit) : items,
      total,
      limit: request.limit,
      offset: request.offset,
      nextCursor,
    };
  }

  /**
   * Validates everything about paging at once, so a request with several defects hears about
   * all of them in one 422: limit above the configured maximum, cursor with offset, a cursor
   * that is forged or belongs to another list or sort, and a sort outside the whitelist.
   */
  private check<T>(params: ListQueryDto, definition: ListDefinition<T>): PageRequest {
    const errors: FieldErrors = {};
    const fail = (field: string, message: string) => (errors[field] ??= []).push(message);
    const attempt = <R>(work: () => R): R | undefined => {
      try {
        return work();
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        for (const [field, messages] of Object.entries(error.fields))
          messages.forEach((m) => fail(field, m));
        return undefined;
      }
    };

    const { defaultLimit, maxLimit, maxOffset } = this.config.pagination;
    const limit = params.limit ?? defaultLimit;
    if (!Number.isInteger(limit) || limit < 1) fail('limit', 'must be a positive integer');
    else if (limit > maxLimit) fail('limit', `must not be greater than ${maxLimit}`);

    const offset = params.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0)
      fail('offset', 'must be a non-negative integer');
    else if (offset > maxOffset)
      // Skipping rows costs in proportion to the offset; a cursor seeks in constant time.
      fail(
        'offset',
        `must not be greater than ${maxOffset} (PAGINATION_MAX_OFFSET); page deeper with cursor, passing the previous page's nextCursor`,
      );

    let cursor: CursorPayload | undefined;
    if (params.cursor !== undefined) {
      if (params.offset !== undefined) fail('cursor', 'cannot be combined with offset');
      else cursor = attempt(() => this.codec.decode(params.cursor!));
      if (cursor && cursor.list !== definition.name) {
        fail('cursor', 'belongs to another list');
        cursor = undefined;
      }
    }

    // A cursor carries its sort, so the client may omit `sort` when following one.
    const sort = attempt(() =>
      parseSort(params.sort ?? cursor?.sort ?? definition.defaultSort, definition),
    );
    const sortKey = sort ? formatSort(sort) : '';
    const columns = sort ? keysetColumns(sort, definition) : [];
    if (cursor && sort && cursor.sort !== sortKey) {
      fail(
        'cursor',
        `was issued for sort "${cursor.sort}", not "${sortKey}"; keep the sort while paging`,
      );
    } else if (cursor) {
      attempt(() => assertKeyValues(columns, cursor!.values));
    }

    if (Object.keys(errors).length > 0 || !sort) throw new ValidationError(errors);
    return { limit, offset, sortKey, columns, cursor };
  }
}

function dialectOf(query: SelectQueryBuilder<ObjectLiteral>): Dialect {
  return query.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * COUNT(*) of the filtered query. TypeORM's getCount() counts DISTINCT ids, which makes the
 * database sort or hash every matching id; lists here produce one row per item (checked on
 * every page), so a plain count is exact. It also lets PostgreSQL and SQLite drop a LEFT JOIN
 * whose columns the count does not use (e.g. the author of an article list).
 */
async function countRows<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): Promise<number> {
  const row = await query.clone().select('COUNT(*)', 'count').getRawOne<{ count: unknown }>();
  return Number(row?.count ?? 0);
}

/** {@link countRows} of a compiled list's filtered query, built once per shape. */
async function countCompiled<T extends ObjectLiteral>(
  list: CompiledList<T>,
  filter: ListFilter<T>,
): Promise<number> {
  const sql = list.sql(`count:${filter.shape}`, () => filter.build().select('COUNT(*)', 'count'));
  const [row] = await list.run<{ count: unknown }>(sql, filter.parameters);
  return Number(row?.count ?? 0);
}

/**
 * Raw rows cannot be checked against hydrated entities: a to-many join shows as a repeated
 * tie-breaker (the last keyset column, unique per item) instead.
 */
function assertOneRowPerItem(
  rows: Array<Record<string, unknown>>,
  columns: KeysetColumn[],
  list: string,
): void {
  const alias = keyAlias(columns.length - 1);
  const items = new Set(rows.map((row) => row[alias]));
  if (items.size !== rows.length) {
    throw new Error(
      `pagination: list "${list}" returned ${rows.length} rows for ${items.size} items; join to-one relations only`,
    );
  }
}
