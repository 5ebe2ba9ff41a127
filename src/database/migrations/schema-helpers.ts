import { type QueryRunner, TableColumn, type TableColumnOptions } from 'typeorm';

/**
 * Dialect-neutral column builders for hand-written migrations. Migrations use the schema
 * builder API rather than raw SQL so that one file runs on both SQLite and PostgreSQL.
 */
export class SchemaHelpers {
  readonly postgres: boolean;

  constructor(private readonly queryRunner: QueryRunner) {
    this.postgres = queryRunner.connection.options.type === 'postgres';
  }

  /**
   * Adds nullable columns to an existing table. On SQLite TypeORM's addColumns rebuilds the
   * table (copy, drop, rename), which drops its triggers (the article counters) and fails on
   * expression indexes (`LOWER(username)`); SQLite's own ALTER TABLE … ADD COLUMN does neither.
   */
  async addNullableColumns(table: string, columns: TableColumnOptions[]): Promise<void> {
    if (columns.some((column) => column.isNullable === false))
      throw new Error('addNullableColumns: every column must be nullable');
    if (this.postgres) {
      await this.queryRunner.addColumns(
        table,
        columns.map((column) => new TableColumn({ ...column, isNullable: true })),
      );
      return;
    }
    for (const column of columns)
      await this.queryRunner.query(
        `ALTER TABLE "${table}" ADD COLUMN "${column.name}" ${column.type} NULL`,
      );
  }

  /** Placeholder of the `index`-th (1-based) bound parameter of a raw query: `$1` or `?`. */
  readonly parameter = (index: number): string => (this.postgres ? `$${index}` : '?');

  autoIncrementId(): TableColumnOptions {
    return {
      name: 'id',
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    };
  }

  timestamp(
    name: string,
    options: { nullable?: boolean; defaultNow?: boolean } = {},
  ): TableColumnOptions {
    return {
      name,
      type: this.postgres ? 'timestamptz' : 'datetime',
      isNullable: options.nullable ?? false,
      default: options.defaultNow
        ? this.postgres
          ? 'now()'
          : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))"
        : undefined,
    };
  }
}
