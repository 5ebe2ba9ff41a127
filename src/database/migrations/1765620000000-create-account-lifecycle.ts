import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

/**
 * Account lifecycle: verified and disabled states on users, and the single-use tokens mailed
 * for email verification, email change and password reset (stored as SHA-256 hashes).
 */
export class CreateAccountLifecycle1765620000000 implements MigrationInterface {
  name = 'CreateAccountLifecycle1765620000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);
    await schema.addNullableColumns('users', [
      schema.timestamp('email_verified_at', { nullable: true }),
      schema.timestamp('disabled_at', { nullable: true }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'account_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'integer' },
          { name: 'purpose', type: 'varchar', length: '32' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'email', type: 'varchar', length: '255' },
          schema.timestamp('expires_at'),
          schema.timestamp('used_at', { nullable: true }),
          schema.timestamp('created_at', { defaultNow: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          new TableIndex({
            name: 'idx_account_tokens_user_purpose',
            columnNames: ['user_id', 'purpose', 'created_at'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('account_tokens');
    await queryRunner.dropColumn('users', 'disabled_at');
    await queryRunner.dropColumn('users', 'email_verified_at');
  }
}
