import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

/** The transactional outbox of outgoing mail. */
export class CreateMailOutbox1765610000000 implements MigrationInterface {
  name = 'CreateMailOutbox1765610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          schema.autoIncrementId(),
          { name: 'kind', type: 'varchar', length: '64' },
          { name: 'recipient', type: 'varchar', length: '255' },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'text_body', type: 'text' },
          { name: 'html_body', type: 'text' },
          { name: 'attempts', type: 'integer', default: 0 },
          schema.timestamp('next_attempt_at'),
          { name: 'claimed_by', type: 'varchar', length: '64', isNullable: true },
          schema.timestamp('claimed_until', { nullable: true }),
          schema.timestamp('sent_at', { nullable: true }),
          schema.timestamp('failed_at', { nullable: true }),
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
          schema.timestamp('created_at', { defaultNow: true }),
        ],
        indices: [
          new TableIndex({
            name: 'idx_mail_outbox_due',
            columnNames: ['sent_at', 'failed_at', 'next_attempt_at'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mail_outbox');
  }
}
