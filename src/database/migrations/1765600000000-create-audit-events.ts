import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

/** Append-only audit trail: triggers refuse UPDATE and DELETE on both dialects. */
export class CreateAuditEvents1765600000000 implements MigrationInterface {
  name = 'CreateAuditEvents1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          schema.autoIncrementId(),
          { name: 'event', type: 'varchar', length: '64' },
          { name: 'actor_id', type: 'integer', isNullable: true },
          { name: 'target_id', type: 'integer', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
          schema.timestamp('created_at', { defaultNow: true }),
        ],
        indices: [
          new TableIndex({
            name: 'idx_audit_events_created_id',
            columnNames: ['created_at', 'id'],
          }),
          new TableIndex({
            name: 'idx_audit_events_actor_created',
            columnNames: ['actor_id', 'created_at'],
          }),
          new TableIndex({
            name: 'idx_audit_events_target_created',
            columnNames: ['target_id', 'created_at'],
          }),
          new TableIndex({
            name: 'idx_audit_events_event_created',
            columnNames: ['event', 'created_at'],
          }),
        ],
      }),
    );
    if (schema.postgres) {
      await queryRunner.query(`CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql`);
      await queryRunner.query(`CREATE TRIGGER audit_events_append_only
        BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    } else {
      for (const operation of ['UPDATE', 'DELETE']) {
        await queryRunner.query(`CREATE TRIGGER audit_events_no_${operation.toLowerCase()}
          BEFORE ${operation} ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
    if (new SchemaHelpers(queryRunner).postgres)
      await queryRunner.query('DROP FUNCTION IF EXISTS audit_events_append_only()');
  }
}
