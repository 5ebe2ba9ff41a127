import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { formatPlan, planModule } from './generator.mjs';

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const DOC = join(REPO, 'docs', 'pagination.md');
const ELISION = '// …';

/**
 * The ```ts blocks of docs/pagination.md that start with `// src/modules/bookmarks/<file>`:
 * each is an excerpt of that generated file, with `// …` marking elided lines.
 */
function excerpts() {
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)];
  return blocks
    .map(([, body]) => body.split('\n'))
    .filter(([first]) => first.startsWith('// src/modules/bookmarks/'))
    .map(([first, ...rest]) => ({ path: first.slice(3), lines: rest.slice(0, -1) }));
}

describe('docs/pagination.md matches what `npm run generate:module -- bookmarks` writes', () => {
  let root;
  let generated;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'docs-pagination-'));
    cpSync(join(REPO, 'src'), join(root, 'src'), { recursive: true });
    cpSync(join(REPO, '.prettierrc'), join(root, '.prettierrc'));
    const plan = await formatPlan(planModule({ root, name: 'bookmarks' }), root);
    generated = new Map(plan.files.map((file) => [file.path, file.content]));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('has excerpts of the list endpoint (entity, query DTO, service, controller, response)', () => {
    expect(new Set(excerpts().map((excerpt) => excerpt.path))).toEqual(
      new Set([
        'src/modules/bookmarks/entities/bookmark.entity.ts',
        'src/modules/bookmarks/dto/list-bookmarks.query.ts',
        'src/modules/bookmarks/bookmarks.service.ts',
        'src/modules/bookmarks/bookmarks.controller.ts',
        'src/modules/bookmarks/dto/bookmark.response.ts',
      ]),
    );
  });

  it.each(excerpts().map((excerpt, index) => [index + 1, excerpt.path, excerpt]))(
    'excerpt %i (%s) appears verbatim in the generated file',
    (_index, path, excerpt) => {
      const content = generated.get(path);
      expect(content).toBeDefined();
      // Consecutive runs between elisions must each be a contiguous part of the file, in order.
      const runs = [[]];
      for (const line of excerpt.lines) {
        if (line.trim() === ELISION) runs.push([]);
        else runs.at(-1).push(line);
      }
      let from = 0;
      for (const run of runs.filter((lines) => lines.length > 0)) {
        const text = run.join('\n') + '\n';
        const at = content.indexOf(text, from);
        expect({ path, missing: at === -1 ? text : null }).toEqual({ path, missing: null });
        from = at + text.length;
      }
    },
  );
});
