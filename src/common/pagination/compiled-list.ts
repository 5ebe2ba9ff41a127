import type { EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { runCompiled } from '../persistence/compiled-select.js';
import type { ListDefinition } from './list-definition.js';

/** The filters of one list request: which apply (its shape) and their values. */
export interface ListFilter<T extends ObjectLiteral> {
  /**
   * Names the filters that apply, e.g. `tag,author`; requests of one shape share statements,
   * so `build` must depend on nothing else.
   */
  shape: string;
  /** The filtered query of this shape, with `:name` placeholders; called once per shape. */
  build: () => SelectQueryBuilder<T>;
  /** The request's values of the placeholders `build` writes. */
  parameters: ObjectLiteral;
}

/**
 * Most statements kept per list. Shapes are few (filters × sorts × paging modes), but a bound
 * keeps a list with many sortable fields from growing without limit: past it, a statement is
 * built for each request instead (still correct, only slower).
 */
const MAX_STATEMENTS = 64;

/**
 * A list served by {@link Paginator.paginateCompiled}: its definition plus the SQL of each shape
 * of its statements, built once with the query builder and then run as plain SQL with each
 * request's values (as {@link CompiledSelect} does for single statements).
 */
export class CompiledList<T extends ObjectLiteral> {
  private readonly statements = new Map<string, string>();

  constructor(
    readonly definition: ListDefinition<T>,
    private readonly repository: Repository<T>,
  ) {}

  /** The SQL stored under `key`, built by `build` on first use. */
  sql(key: string, build: () => SelectQueryBuilder<T>): string {
    let sql = this.statements.get(key);
    if (sql === undefined) {
      sql = build().getQuery();
      if (this.statements.size < MAX_STATEMENTS) this.statements.set(key, sql);
    }
    return sql;
  }

  /** Runs SQL from {@link sql} (plus literal paging clauses) with `parameters`; raw rows. */
  run<Row>(sql: string, parameters: ObjectLiteral, manager?: EntityManager): Promise<Row[]> {
    return runCompiled<Row>(this.repository, sql, parameters, manager);
  }

  /** How many statements are stored (for tests). */
  get size(): number {
    return this.statements.size;
  }
}
