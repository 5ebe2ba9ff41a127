import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

const userForeignKey = (column: string) => ({
  columnNames: [column],
  referencedTableName: 'users',
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
});

/** OpenID Connect: linked identities, pending logins and one-time codes. */
export class CreateSsoSchema1765500000000 implements MigrationInterface {
  name = 'CreateSsoSchema1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'user_identities',
        columns: [
          schema.autoIncrementId(),
          { name: 'user_id', type: 'integer' },
          { name: 'provider_id', type: 'varchar', length: '32' },
          { name: 'issuer', type: 'varchar', length: '512' },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'email', type: 'varchar', length: '255', isNullable: true },
          schema.timestamp('created_at'),
          schema.timestamp('last_login_at', { nullable: true }),
        ],
        foreignKeys: [userForeignKey('user_id')],
        indices: [
          new TableIndex({
            name: 'uq_user_identities_issuer_subject',
            columnNames: ['issuer', 'subject'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_user_identities_user', columnNames: ['user_id'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'oidc_login_states',
        columns: [
          { name: 'state_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'browser_hash', type: 'varchar', length: '64' },
          { name: 'provider_id', type: 'varchar', length: '32' },
          { name: 'nonce', type: 'varchar', length: '128' },
          { name: 'code_verifier', type: 'varchar', length: '128' },
          { name: 'callback_url', type: 'varchar', length: '2048' },
          { name: 'redirect_uri', type: 'varchar', length: '2048' },
          { name: 'link_user_id', type: 'integer', isNullable: true },
          schema.timestamp('created_at'),
          schema.timestamp('expires_at'),
        ],
        foreignKeys: [userForeignKey('link_user_id')],
        indices: [
          new TableIndex({ name: 'idx_oidc_login_states_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'oidc_one_time_codes',
        columns: [
          { name: 'code_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'purpose', type: 'varchar', length: '16' },
          { name: 'user_id', type: 'integer' },
          { name: 'provider_id', type: 'varchar', length: '32' },
          schema.timestamp('created_at'),
          schema.timestamp('expires_at'),
          schema.timestamp('used_at', { nullable: true }),
        ],
        foreignKeys: [userForeignKey('user_id')],
        indices: [
          new TableIndex({
            name: 'idx_oidc_one_time_codes_expires',
            columnNames: ['expires_at'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('oidc_one_time_codes');
    await queryRunner.dropTable('oidc_login_states');
    await queryRunner.dropTable('user_identities');
  }
}
