import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

/** normalizeTag (src/modules/tags/tag-name.ts) as of this migration: a migration never changes. */
const normalizeTag = (name: string) =>
  name.normalize('NFKC').trim().toUpperCase().toLowerCase().normalize('NFKC');

/**
 * Tags become normalised (NFKC, trimmed, case-folded; see normalizeTag): every existing tag is
 * renamed to its normal form, and tags that differ only in spelling ("Dragons", "dragons",
 * "ＤＲＡＧＯＮＳ") are merged into the oldest of them (lowest id), which keeps every article
 * link. A tag whose normal form is empty is dropped with its links. Not reversible: `down`
 * leaves the merged tags as they are.
 */
export class NormalizeTags1765400000000 implements MigrationInterface {
  name = 'NormalizeTags1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const p = new SchemaHelpers(queryRunner).parameter;
    const rows: Array<{ id: number | string; name: string }> = await queryRunner.query(
      'SELECT id, name FROM tags ORDER BY id',
    );
    const groups = new Map<string, Array<{ id: number; name: string }>>();
    for (const row of rows) {
      const key = normalizeTag(row.name);
      const group = groups.get(key) ?? [];
      group.push({ id: Number(row.id), name: row.name });
      groups.set(key, group);
    }
    for (const [key, [survivor, ...duplicates]] of groups) {
      if (key === '') {
        for (const tag of [survivor, ...duplicates]) await this.drop(queryRunner, tag.id);
        continue;
      }
      for (const duplicate of duplicates) {
        // Move the links the survivor does not have yet, then drop the duplicate.
        await queryRunner.query(
          `UPDATE article_tags SET tag_id = ${p(1)} WHERE tag_id = ${p(2)} AND article_id NOT IN ` +
            `(SELECT article_id FROM article_tags WHERE tag_id = ${p(3)})`,
          [survivor.id, duplicate.id, survivor.id],
        );
        await this.drop(queryRunner, duplicate.id);
      }
      if (survivor.name !== key) {
        await queryRunner.query(`UPDATE tags SET name = ${p(1)} WHERE id = ${p(2)}`, [
          key,
          survivor.id,
        ]);
      }
    }
  }

  async down(): Promise<void> {
    // Merged spellings cannot be told apart any more; the normalised tags stay.
  }

  private async drop(queryRunner: QueryRunner, tagId: number): Promise<void> {
    const p = new SchemaHelpers(queryRunner).parameter;
    await queryRunner.query(`DELETE FROM article_tags WHERE tag_id = ${p(1)}`, [tagId]);
    await queryRunner.query(`DELETE FROM tags WHERE id = ${p(1)}`, [tagId]);
  }
}
