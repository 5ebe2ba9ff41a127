import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

export class CreateAuthSchema1764000000000 implements MigrationInterface {
  name = 'CreateAuthSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          schema.autoIncrementId(),
          { name: 'email', type: 'varchar', length: '255', isUnique: true },
          { name: 'username', type: 'varchar', length: '64', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'bio', type: 'text', isNullable: true },
          { name: 'image', type: 'varchar', length: '2048', isNullable: true },
          { name: 'role', type: 'varchar', length: '16', default: "'user'" },
          schema.timestamp('created_at', { defaultNow: true }),
          schema.timestamp('updated_at', { defaultNow: true }),
        ],
        indices: [
          new TableIndex({ name: 'idx_users_created_id', columnNames: ['created_at', 'id'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'integer' },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          schema.timestamp('created_at', { defaultNow: true }),
          schema.timestamp('last_used_at'),
          schema.timestamp('expires_at'),
          schema.timestamp('revoked_at', { nullable: true }),
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
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
            name: 'idx_sessions_user_created',
            columnNames: ['user_id', 'created_at'],
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'session_id', type: 'varchar', length: '36' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          schema.timestamp('created_at', { defaultNow: true }),
          schema.timestamp('used_at', { nullable: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['session_id'],
            referencedTableName: 'sessions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          new TableIndex({ name: 'idx_refresh_tokens_session', columnNames: ['session_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('refresh_tokens');
    await queryRunner.dropTable('sessions');
    await queryRunner.dropTable('users');
  }
}
