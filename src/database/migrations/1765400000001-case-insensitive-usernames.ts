import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * Usernames become unique case-insensitively (`alice` and `Alice` can no longer coexist), and
 * `username_holds` keeps a renamed-away username reserved for its former owner.
 *
 * Existing accounts whose usernames differ only in case would break the new index. The
 * migration does not guess which account deserves the name: it refuses to run, listing every
 * conflicting group (ids and spellings), and leaves the schema unchanged; rename all but one
 * account of each group (e.g. `UPDATE users SET username = 'alice-2' WHERE id = 7`) and start
 * again. Usernames are ASCII (letters, digits, `_`, `.`, `-`), so SQL LOWER() agrees on both
 * databases.
 */
export class CaseInsensitiveUsernames1765400000001 implements MigrationInterface {
  name = 'CaseInsensitiveUsernames1765400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const conflicts: Array<{ id: number | string; username: string }> = await queryRunner.query(
      'SELECT id, username FROM users WHERE LOWER(username) IN ' +
        '(SELECT LOWER(username) FROM users GROUP BY LOWER(username) HAVING COUNT(*) > 1) ' +
        'ORDER BY LOWER(username), id',
    );
    if (conflicts.length > 0) throw new Error(conflictReport(conflicts));

    await queryRunner.query(
      'CREATE UNIQUE INDEX idx_users_username_lower ON users (LOWER(username))',
    );
    await queryRunner.createTable(
      new Table({
        name: 'username_holds',
        columns: [
          { name: 'username_key', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'integer' },
          { name: 'expires_at_ms', type: 'bigint' },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('username_holds');
    await queryRunner.query('DROP INDEX idx_users_username_lower');
  }
}

/** One line per group of accounts whose usernames differ only in case. */
export function conflictReport(rows: Array<{ id: number | string; username: string }>): string {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const key = row.username.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), `id ${row.id} "${row.username}"`]);
  }
  const lines = [...groups].map(([key, accounts]) => `  ${key}: ${accounts.join(', ')}`);
  return (
    `Cannot make usernames unique case-insensitively: ${groups.size} group(s) of accounts ` +
    'have usernames that differ only in case. Rename all but one account of each group, ' +
    "e.g. UPDATE users SET username = 'alice-2' WHERE id = 7, then start again:\n" +
    lines.join('\n')
  );
}
