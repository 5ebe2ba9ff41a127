import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Dialect-neutral column builders for hand-written migrations. Migrations use the schema
 * builder API rather than raw SQL so that one file runs on both SQLite and PostgreSQL.
 */
export class SchemaHelpers {
  readonly postgres: boolean;

  constructor(queryRunner: QueryRunner) {
    this.postgres = queryRunner.connection.options.type === 'postgres';
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
