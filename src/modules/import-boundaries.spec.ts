import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

/**
 * The import-boundary rules of eslint.config.js, run on snippets placed at real paths. Only
 * no-restricted-imports runs, without type information, so this stays fast.
 */
const eslint = new ESLint({
  cwd: fileURLToPath(new URL('../..', import.meta.url)),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = 1;\n`, { filePath });
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

const BARREL = /no-restricted-imports: .*only through its public barrel/;
const ENTITY = /no-restricted-imports: .*entity file directly/;

describe('import boundaries (eslint.config.js)', () => {
  it.each([
    [
      'src/modules/articles/articles.service.ts',
      "import { UsersService } from '../users/users.service.js';",
    ],
    [
      'src/modules/articles/articles.service.ts',
      "import type { User } from '../users/entities/user.entity.js';",
    ],
    [
      'src/modules/articles/dto/article.response.ts',
      "import { ProfileView } from '../../profiles/dto/profile.response.js';",
    ],
    [
      'src/modules/articles/dto/deep/nested.ts',
      "import { TagsService } from '../../../tags/tags.service.js';",
    ],
    [
      'src/modules/comments/comments.service.ts',
      "export { ArticlesService } from '../articles/articles.service.js';",
    ],
    [
      'src/modules/comments/comments.service.ts',
      "import { User } from '../../modules/users/index.js';",
    ],
    [
      'src/modules/auth/auth.service.spec.ts',
      "import type { PasswordHasher } from '../users/password-hasher.js';",
    ],
  ])('rejects a deep import into another module: %s: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([expect.stringMatching(BARREL)]);
  });

  it.each([
    [
      'src/modules/articles/articles.service.ts',
      "import { UsersService } from '../users/index.js';",
    ],
    [
      'src/modules/articles/dto/article.response.ts',
      "import { ProfileView } from '../../profiles/index.js';",
    ],
    [
      'src/modules/articles/dto/article.response.ts',
      "import { Article } from '../entities/article.entity.js';",
    ],
    ['src/modules/articles/articles.service.ts', "import { slugify } from './slug.js';"],
    [
      'src/modules/articles/articles.service.ts',
      "import { Paginator } from '../../common/pagination/paginator.js';",
    ],
    [
      'src/modules/articles/dto/article.response.ts',
      "import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';",
    ],
  ])('allows %s: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });

  it.each([
    ['src/modules/articles/articles.service.ts', "import { Article } from './index.js';"],
    ['src/modules/articles/dto/article.response.ts', "import { Article } from '../index.js';"],
    ['src/modules/articles/entities/favorite.entity.ts', "import { Article } from '../index.js';"],
  ])('rejects a module file importing its own barrel: %s: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([
      expect.stringMatching(/no-restricted-imports: .*never through its index\.ts/),
    ]);
  });

  it("lets an entity import another module's entity file directly", async () => {
    expect(
      await violations(
        'src/modules/tags/entities/article-tag.entity.ts',
        "import { Article } from '../../articles/entities/article.entity.js';",
      ),
    ).toEqual([]);
  });

  it.each([
    "import { Article } from '../../articles/index.js';",
    "import { ArticlesService } from '../../articles/articles.service.js';",
  ])('rejects anything else an entity imports from another module: %s', async (code) => {
    expect(await violations('src/modules/tags/entities/article-tag.entity.ts', code)).toEqual([
      expect.stringMatching(ENTITY),
    ]);
  });

  it.each([
    ['src/common/pagination/paginator.ts', "import { User } from '../../modules/users/index.js';"],
    [
      'src/common/auth/jwt-auth.guard.ts',
      "import { SessionsService } from '../../modules/auth/sessions.service.js';",
    ],
  ])('keeps src/common free of feature imports: %s: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([
      expect.stringMatching(/no-restricted-imports: .*src\/common is feature-agnostic/),
    ]);
  });

  it.each([
    [
      'src/database/transaction-runner.ts',
      "import { UsersService } from '../modules/users/index.js';",
    ],
    [
      'src/database/migrations/1764000000000-create-auth-schema.ts',
      "import { User } from '../../modules/users/entities/user.entity.js';",
    ],
  ])('keeps src/database free of feature imports: %s: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([
      expect.stringMatching(/no-restricted-imports: .*src\/database never imports a feature/),
    ]);
  });

  it('lets the entity registry (src/database/entities.ts) name feature entities', async () => {
    expect(
      await violations(
        'src/database/entities.ts',
        "import { User } from '../modules/users/entities/user.entity.js';",
      ),
    ).toEqual([]);
  });
});
