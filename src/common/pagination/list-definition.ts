/** The kind of value a keyset column holds; decides how cursor values are read and checked. */
export type KeyType = 'number' | 'string' | 'date';

/** How a sortable field maps to SQL. */
/** `alias.property`, where the property belongs to the listed entity (checked at compile time). */
export type ColumnPath<T> = `${string}.${Extract<keyof T, string>}`;

export interface SortableField<T> {
  /**
   * Column in the query builder as `alias.property`, e.g. `user.createdAt`. Must be NOT NULL
   * (keyset comparisons skip NULLs). A `date` column must be `timestamptz` on PostgreSQL.
   */
  column: ColumnPath<T>;
  type: KeyType;
}

/** Declares what a list endpoint may be sorted by; anything else is rejected with 422. */
export interface ListDefinition<T> {
  /** Name bound into cursors; a cursor issued for another list is rejected. */
  name: string;
  /** The whitelist: public field name (as used in `?sort=`) → column. */
  sortable: Record<string, SortableField<T>>;
  /** Sort applied when the client sends none, e.g. `-createdAt`. */
  defaultSort: string;
  /**
   * Unique, NOT NULL column appended to every sort (in the direction of the last sort term)
   * so the order is total and stable, e.g. `{ column: 'user.id' }`.
   */
  tieBreaker: {
    column: ColumnPath<T>;
    /** Defaults to `number`. */
    type?: 'number' | 'string';
  };
}

export type SortDirection = 'ASC' | 'DESC';

/** One parsed term of `?sort=`. */
export interface SortTerm {
  field: string;
  direction: SortDirection;
}

/** Per-call options of {@link Paginator.paginate}. */
export interface PaginateOptions {
  /**
   * Whether to count all matching rows into `total` (default true). Pass false where the
   * response promises no total; `total` is then -1.
   */
  withTotal?: boolean;
  /**
   * An exact total from a cheaper source than counting the filtered rows, e.g. a maintained
   * counter; it must count exactly the rows the query matches. Default: COUNT(*) of the query.
   */
  total?: () => Promise<number>;
}

/** One page of rows plus the metadata the response exposes. */
export interface Page<T> {
  items: T[];
  /** Total rows matching the filters, whatever the page; -1 when `withTotal: false`. */
  total: number;
  /** The page size applied (the default when the client sent none). */
  limit: number;
  /** Rows skipped (offset mode); 0 in cursor mode. */
  offset: number;
  /** Cursor for the next page, null on the last page. */
  nextCursor: string | null;
}
