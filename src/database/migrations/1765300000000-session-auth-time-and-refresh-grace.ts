import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

/**
 * `sessions.authenticated_at`: when the session's user last really authenticated (password or
 * SSO login, never a refresh), for the recent-authentication check on sensitive changes.
 * Existing sessions get their creation time, which is when their login happened.
 *
 * `refresh_tokens.successor_sealed`: the pair a rotation issued, encrypted under a key derived
 * from the rotated token itself, so a concurrent refresh of the same token within the grace
 * window can be answered with the same pair.
 */
export class SessionAuthTimeAndRefreshGrace1765300000000 implements MigrationInterface {
  name = 'SessionAuthTimeAndRefreshGrace1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);
    await queryRunner.addColumn(
      'sessions',
      new TableColumn(schema.timestamp('authenticated_at', { defaultNow: true })),
    );
    await queryRunner.query('UPDATE sessions SET authenticated_at = created_at');
    await queryRunner.addColumn(
      'refresh_tokens',
      new TableColumn({ name: 'successor_sealed', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('refresh_tokens', 'successor_sealed');
    await queryRunner.dropColumn('sessions', 'authenticated_at');
  }
}
