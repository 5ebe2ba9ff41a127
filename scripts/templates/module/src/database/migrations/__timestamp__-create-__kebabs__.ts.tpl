import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

/**
 * {{Tag}}: owned by a user and deleted with them. The index serves the list (the owner's rows,
 * newest first, with `id` as the keyset tie-breaker). Must match
 * src/modules/{{kebabs}}/entities/{{kebab}}.entity.ts: the e2e test checks there is no drift.
 */
export class {{MigrationClass}} implements MigrationInterface {
  name = '{{MigrationClass}}';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: '{{table}}',
        columns: [
          schema.autoIncrementId(),
          { name: 'title', type: 'varchar', length: '255' },
          { name: 'body', type: 'text', isNullable: true },
          { name: 'owner_id', type: 'integer' },
          schema.timestamp('created_at', { defaultNow: true }),
          schema.timestamp('updated_at', { defaultNow: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['owner_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          new TableIndex({
            name: 'idx_{{table}}_owner_created_id',
            columnNames: ['owner_id', 'created_at', 'id'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('{{table}}');
  }
}
