import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

/** Idempotency-Key records (used when REDIS_URL is unset). */
export class CreateIdempotencyKeys1765100000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'key', type: 'varchar', length: '64', isPrimary: true },
          { name: 'fingerprint', type: 'varchar', length: '64' },
          { name: 'response', type: 'text', isNullable: true },
          schema.timestamp('created_at', { defaultNow: true }),
          schema.timestamp('expires_at'),
        ],
        indices: [
          new TableIndex({ name: 'idx_idempotency_keys_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
