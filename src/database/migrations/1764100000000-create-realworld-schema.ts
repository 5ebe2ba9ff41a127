import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { SchemaHelpers } from './schema-helpers.js';

const cascadeTo = (column: string, table: string) => ({
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
});

/**
 * RealWorld domain. Every list path has an index: newest first (articles.created_at, id),
 * by author (author_id, created_at, id), by tag (article_tags.tag_id), favorited by a user
 * (favorites primary key), feed (follows primary key → articles by author) and comments of
 * an article (article_id, created_at, id).
 */
export class CreateRealworldSchema1764100000000 implements MigrationInterface {
  name = 'CreateRealworldSchema1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = new SchemaHelpers(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'follows',
        columns: [
          { name: 'follower_id', type: 'integer', isPrimary: true },
          { name: 'followee_id', type: 'integer', isPrimary: true },
          schema.timestamp('created_at', { defaultNow: true }),
        ],
        foreignKeys: [cascadeTo('follower_id', 'users'), cascadeTo('followee_id', 'users')],
        indices: [new TableIndex({ name: 'idx_follows_followee', columnNames: ['followee_id'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'articles',
        columns: [
          schema.autoIncrementId(),
          { name: 'slug', type: 'varchar', length: '300', isUnique: true },
          { name: 'title', type: 'varchar', length: '255' },
          { name: 'description', type: 'text' },
          { name: 'body', type: 'text' },
          { name: 'author_id', type: 'integer' },
          schema.timestamp('created_at', { defaultNow: true }),
          schema.timestamp('updated_at', { defaultNow: true }),
        ],
        foreignKeys: [cascadeTo('author_id', 'users')],
        indices: [
          new TableIndex({ name: 'idx_articles_created_id', columnNames: ['created_at', 'id'] }),
          new TableIndex({
            name: 'idx_articles_author_created_id',
            columnNames: ['author_id', 'created_at', 'id'],
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'tags',
        columns: [
          schema.autoIncrementId(),
          { name: 'name', type: 'varchar', length: '64', isUnique: true },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'article_tags',
        columns: [
          { name: 'article_id', type: 'integer', isPrimary: true },
          { name: 'tag_id', type: 'integer', isPrimary: true },
        ],
        foreignKeys: [cascadeTo('article_id', 'articles'), cascadeTo('tag_id', 'tags')],
        indices: [
          new TableIndex({ name: 'idx_article_tags_tag', columnNames: ['tag_id', 'article_id'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'favorites',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'article_id', type: 'integer', isPrimary: true },
          schema.timestamp('created_at', { defaultNow: true }),
        ],
        foreignKeys: [cascadeTo('user_id', 'users'), cascadeTo('article_id', 'articles')],
        indices: [new TableIndex({ name: 'idx_favorites_article', columnNames: ['article_id'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'comments',
        columns: [
          schema.autoIncrementId(),
          { name: 'body', type: 'text' },
          { name: 'article_id', type: 'integer' },
          { name: 'author_id', type: 'integer' },
          schema.timestamp('created_at', { defaultNow: true }),
          schema.timestamp('updated_at', { defaultNow: true }),
        ],
        foreignKeys: [cascadeTo('article_id', 'articles'), cascadeTo('author_id', 'users')],
        indices: [
          new TableIndex({
            name: 'idx_comments_article_created_id',
            columnNames: ['article_id', 'created_at', 'id'],
          }),
          new TableIndex({ name: 'idx_comments_author', columnNames: ['author_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['comments', 'favorites', 'article_tags', 'tags', 'articles', 'follows']) {
      await queryRunner.dropTable(table);
    }
  }
}
