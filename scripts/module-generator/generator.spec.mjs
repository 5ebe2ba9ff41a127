import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  GeneratorError,
  insertAboveMarker,
  ModuleNameError,
  planModule,
  REGISTRATIONS,
  render,
  writePlan,
} from './generator.mjs';
import { deriveNames } from './names.mjs';

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const NOW = Date.UTC(2030, 0, 1);

/** A scratch repository holding only what the generator reads: src/ (no node_modules). */
const scratchRoots = [];
function scratchRepo() {
  const root = mkdtempSync(join(tmpdir(), 'generator-spec-'));
  scratchRoots.push(root);
  cpSync(join(REPO, 'src'), join(root, 'src'), { recursive: true });
  return root;
}
afterAll(() => scratchRoots.forEach((root) => rmSync(root, { recursive: true, force: true })));

describe('deriveNames', () => {
  it.each([
    ['bookmarks', 'bookmark', 'bookmarks', 'Bookmark', 'Bookmarks', 'bookmarks'],
    ['bookmark', 'bookmark', 'bookmarks', 'Bookmark', 'Bookmarks', 'bookmarks'],
    [
      'reading-lists',
      'reading-list',
      'reading-lists',
      'ReadingList',
      'ReadingLists',
      'reading_lists',
    ],
    ['category', 'category', 'categories', 'Category', 'Categories', 'categories'],
    ['categories', 'category', 'categories', 'Category', 'Categories', 'categories'],
    ['inbox', 'inbox', 'inboxes', 'Inbox', 'Inboxes', 'inboxes'],
    ['addresses', 'address', 'addresses', 'Address', 'Addresses', 'addresses'],
    ['status', 'status', 'statuses', 'Status', 'Statuses', 'statuses'],
    ['api-key2s', 'api-key2', 'api-key2s', 'ApiKey2', 'ApiKey2s', 'api_key2s'],
  ])('derives %s → %s / %s (%s, %s, table %s)', (input, kebab, kebabs, Entity, Entities, table) => {
    expect(deriveNames(input)).toMatchObject({ kebab, kebabs, Entity, Entities, table });
  });

  it('derives the camelCase keys, constants and prose', () => {
    expect(deriveNames('reading-lists')).toMatchObject({
      entity: 'readingList',
      entities: 'readingLists',
      ENTITY: 'READING_LIST',
      label: 'reading list',
      labels: 'reading lists',
      Tag: 'Reading lists',
    });
  });

  it('takes irregular forms from --singular and --plural', () => {
    expect(deriveNames('people', { singular: 'person', plural: 'people' })).toMatchObject({
      Entity: 'Person',
      Entities: 'People',
      table: 'people',
    });
  });

  it.each([
    ['', /missing/],
    ['Bookmarks', /not kebab-case/],
    ['book_marks', /not kebab-case/],
    ['book--marks', /not kebab-case/],
    ['-bookmarks', /not kebab-case/],
    ['2fa-codes', /not kebab-case/],
    ['bookmarks/../../etc', /not kebab-case/],
    ['a'.repeat(31), /longer than 30/],
    ['orders', /"order" is reserved \(an SQL keyword\)/],
    ['user', /"user" is reserved/],
    ['classes', /"class" is reserved \(a JavaScript keyword\)/],
    ['entities', /"entities" is reserved/],
  ])('refuses %j', (input, message) => {
    expect(() => deriveNames(input)).toThrow(ModuleNameError);
    expect(() => deriveNames(input)).toThrow(message);
  });

  it('refuses a word whose singular and plural are the same', () => {
    expect(() => deriveNames('sheep', { plural: 'sheep' })).toThrow(/same singular and plural/);
  });
});

describe('render and insertAboveMarker', () => {
  it('fills every placeholder and refuses an unknown one', () => {
    expect(render('class {{Entity}} {}', { Entity: 'Bookmark' })).toBe('class Bookmark {}');
    expect(() => render('{{Nope}}', { Entity: 'Bookmark' })).toThrow(GeneratorError);
  });

  it('inserts above the marker with its indentation', () => {
    const source = 'const list = [\n  A,\n  // marker\n];\n';
    expect(insertAboveMarker(source, '// marker', 'B,')).toBe(
      'const list = [\n  A,\n  B,\n  // marker\n];\n',
    );
  });

  it('refuses a missing or repeated marker', () => {
    expect(() => insertAboveMarker('x\n', '// marker', 'y', 'f.ts')).toThrow(/found 0/);
    expect(() => insertAboveMarker('// marker\n// marker\n', '// marker', 'y')).toThrow(/found 2/);
  });

  it("finds every marker in this repository's registration files", () => {
    for (const { file, marker } of REGISTRATIONS) {
      const source = readFileSync(join(REPO, file), 'utf8');
      expect(() => insertAboveMarker(source, marker, 'x', file)).not.toThrow();
    }
  });
});

describe('planModule', () => {
  const plan = planModule({ root: REPO, name: 'bookmarks', now: NOW });

  it('plans the whole house layout for the module, its migration and its tests', () => {
    expect(plan.files.map((file) => file.path).sort()).toEqual(
      [
        `src/database/migrations/${NOW}-create-bookmarks.ts`,
        'src/modules/bookmarks/bookmark-ownership.policy.ts',
        'src/modules/bookmarks/bookmarks.controller.ts',
        'src/modules/bookmarks/bookmarks.module.ts',
        'src/modules/bookmarks/bookmarks.service.spec.ts',
        'src/modules/bookmarks/bookmarks.service.ts',
        'src/modules/bookmarks/dto/bookmark-fields.ts',
        'src/modules/bookmarks/dto/bookmark.response.ts',
        'src/modules/bookmarks/dto/create-bookmark.dto.ts',
        'src/modules/bookmarks/dto/list-bookmarks.query.ts',
        'src/modules/bookmarks/dto/update-bookmark.dto.ts',
        'src/modules/bookmarks/entities/bookmark.entity.ts',
        'src/modules/bookmarks/index.ts',
        'test/e2e/bookmarks.e2e-spec.ts',
      ].sort(),
    );
    for (const file of plan.files) expect(file.content).not.toMatch(/\{\{|__kebab/);
  });

  it('registers the module, the entity and the migration above the markers', () => {
    const edits = Object.fromEntries(plan.edits.map((edit) => [edit.path, edit.content]));
    expect(edits['src/app.module.ts']).toContain(
      "import { BookmarksModule } from './modules/bookmarks/index.js';\n" +
        '// generate:module inserts imports above this line',
    );
    expect(edits['src/app.module.ts']).toMatch(
      /\n\s+BookmarksModule,\n\s+\/\/ generate:module inserts modules above this line/,
    );
    expect(edits['src/database/entities.ts']).toContain(
      "import { Bookmark } from '../modules/bookmarks/entities/bookmark.entity.js';",
    );
    expect(edits['src/database/migrations/index.ts']).toMatch(
      new RegExp(`\\n  CreateBookmarks${NOW},\\n  // generate:module inserts migrations`),
    );
  });

  it('names the migration after the latest existing one, whatever the clock says', () => {
    const early = planModule({ root: REPO, name: 'bookmarks', now: 0 });
    expect(early.names.timestamp).toBeGreaterThan(1764100000000);
    expect(early.names.MigrationClass).toBe(`CreateBookmarks${early.names.timestamp}`);
  });

  it('applies ownership, the paginator and the owner index in the generated code', () => {
    const content = (suffix) => plan.files.find((file) => file.path.endsWith(suffix)).content;
    expect(content('bookmarks.controller.ts')).toMatch(/OwnedBy\(BookmarkOwnershipPolicy\)/);
    expect(content('bookmarks.service.ts')).toMatch(/this\.paginator\.paginate\(/);
    expect(content(`${NOW}-create-bookmarks.ts`)).toMatch(
      /columnNames: \['owner_id', 'created_at', 'id'\]/,
    );
    expect(content('bookmark.entity.ts')).toMatch(/onDelete: 'CASCADE'/);
  });

  it.each([
    ['articles', /module folder src\/modules\/articles/],
    ['article', /module folder src\/modules\/articles/],
    ['follows', /table "follows"/],
    ['tags', /route \/api\/tags/],
  ])('refuses %s, which the application already has', (name, message) => {
    expect(() => planModule({ root: REPO, name, now: NOW })).toThrow(GeneratorError);
    expect(() => planModule({ root: REPO, name, now: NOW })).toThrow(message);
  });
});

describe('writePlan', () => {
  it('writes the files and registrations once, then refuses to generate over them', () => {
    const root = scratchRepo();
    writePlan(planModule({ root, name: 'bookmarks', now: NOW }), root);
    expect(readFileSync(join(root, 'src/modules/bookmarks/index.ts'), 'utf8')).toContain(
      'export { BookmarksModule }',
    );
    expect(readFileSync(join(root, 'src/app.module.ts'), 'utf8')).toContain('BookmarksModule,');
    expect(() => planModule({ root, name: 'bookmarks', now: NOW })).toThrow(/already taken/);
  });

  it('refuses to overwrite a file that exists outside the module folder', () => {
    const root = scratchRepo();
    mkdirSync(join(root, 'test/e2e'), { recursive: true });
    writeFileSync(join(root, 'test/e2e/bookmarks.e2e-spec.ts'), '// mine\n');
    expect(() => planModule({ root, name: 'bookmarks', now: NOW })).toThrow(
      /refusing to overwrite test\/e2e\/bookmarks\.e2e-spec\.ts/,
    );
  });

  it('changes nothing when a marker is missing', () => {
    const root = scratchRepo();
    const entities = join(root, 'src/database/entities.ts');
    writeFileSync(
      entities,
      readFileSync(entities, 'utf8').replace('// generate:module inserts entities above', ''),
    );
    expect(() => planModule({ root, name: 'bookmarks', now: NOW })).toThrow(
      /src\/database\/entities\.ts: expected exactly one line/,
    );
  });
});
