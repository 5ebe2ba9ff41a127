import { Injectable } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppConfig } from '../../config/app.config.js';
import { type FieldErrors, ValidationError } from '../errors/domain-errors.js';
import { CursorCodec, type CursorPayload } from './cursor-codec.js';
import {
  applyKeyset,
  applyOrder,
  assertKeyValues,
  type Dialect,
  type KeysetColumn,
  keysetColumns,
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
    const hasMore = entities.length > request.limit;
    const items = hasMore ? entities.slice(0, request.limit) : entities;
    const nextCursor = hasMore
      ? this.codec.encode({
          list: definition.name,
          sort: request.sortKey,
          values: keyValuesOf(raw[request.limit - 1], columns),
        })
      : null;
    return { items, total, limit: request.limit, offset: request.offset, nextCursor };
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
