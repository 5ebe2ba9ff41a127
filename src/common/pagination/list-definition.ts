/** How a sortable field maps to SQL, and how its values are compared in a keyset cursor. */
export interface SortableField<T> {
  /** Column expression in the query builder, e.g. `user.createdAt` (must be NOT NULL). */
  column: string;
  type: 'number' | 'string' | 'date';
  /** Reads the field's value from a loaded row, for building the next cursor. */
  value: (row: T) => number | string | Date;
}

/** Declares what a list endpoint may be sorted by; anything else is rejected with 422. */
export interface ListDefinition<T> {
  /** Name used in cursors; a cursor from another list is rejected. */
  name: string;
  sortable: Record<string, SortableField<T>>;
  /** Sort applied when the client sends none, e.g. `-createdAt`. */
  defaultSort: string;
  /** Unique, NOT NULL column appended to every sort so order is total and stable. */
  tieBreaker: { column: string; value: (row: T) => number | string };
}

export type SortDirection = 'ASC' | 'DESC';
export interface SortTerm {
  field: string;
  direction: SortDirection;
}

/** One page of rows plus the metadata the response exposes. */
export interface Page<T> {
  items: T[];
  /** Total matching rows (offset mode, or when the endpoint asks for it). */
  total: number;
  limit: number;
  offset: number;
  /** Cursor for the next page, null on the last page. */
  nextCursor: string | null;
}
