// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Import boundaries (docs/architecture.md). Feature modules use each other only through the
// other module's public barrel `src/modules/<name>/index.ts`; `src/common` never imports a
// feature. no-restricted-imports sees the specifier, not the resolved file, so the patterns
// are written per folder depth: from src/modules/<a>/<d folders>/file.ts, exactly d + 1 `../`
// reach src/modules/, and whatever follows is another module (or <a> itself, by a detour
// nobody takes).
const BARREL_MESSAGE =
  'Import another feature module only through its public barrel (../<module>/index.js); ' +
  'export what you need from that index.ts.';
const ENTITY_MESSAGE =
  "An entity imports another module's entity file directly (../../<module>/entities/x.entity.js), " +
  'never a barrel: the barrel pulls in that module graph and creates ESM import cycles.';
const OWN_BARREL_MESSAGE =
  "A module's own files import each other directly, never through its index.ts: the barrel " +
  'imports them back, an ESM import cycle.';
const up = (levels) => `(?:\\.\\./){${levels}}`;
/** The module's own barrel, seen from a file `depth` folders below the module's root. */
const ownBarrel = (depth) => ({
  regex: `^${depth === 0 ? '\\./' : up(depth)}index\\.js$`,
  message: OWN_BARREL_MESSAGE,
});
const moduleBoundaries = [0, 1, 2, 3].map((depth) => ({
  files: [`src/modules/*/${'*/'.repeat(depth)}*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          // `<module>/` followed by anything but exactly `index.js`.
          { regex: `^${up(depth + 1)}[\\w-]+/(?!index\\.js$)`, message: BARREL_MESSAGE },
          { regex: `^${up(depth + 2)}modules/`, message: BARREL_MESSAGE },
          ownBarrel(depth),
        ],
      },
    ],
  },
}));
// Relations need the other entity's class; a barrel would evaluate that module's @Module
// (and its imports) while this class is still being defined.
const entityBoundaries = {
  files: ['src/modules/*/entities/*.entity.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^${up(2)}[\\w-]+/(?!entities/[\\w.-]+\\.entity\\.js$)`,
            message: ENTITY_MESSAGE,
          },
          { regex: `^${up(3)}modules/`, message: ENTITY_MESSAGE },
          ownBarrel(1),
        ],
      },
    ],
  },
};
const commonBoundaries = {
  files: ['src/common/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^\\.{1,2}/(?:.*/)?modules/',
            message: 'src/common is feature-agnostic: it never imports from src/modules.',
          },
        ],
      },
    ],
  },
};
// The persistence layer sits below the features: only the entity registry names their entities.
// Anything that needs feature code (seeds, maintenance commands) lives in src/cli/.
const databaseBoundaries = {
  files: ['src/database/**/*.ts'],
  ignores: ['src/database/entities.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^\\.{1,2}/(?:.*/)?modules/',
            message:
              'src/database never imports a feature module (except entities.ts, the entity ' +
              'registry); put code that needs features in src/cli/.',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  {
    ignores: ['dist/', 'coverage/', 'node_modules/', 'data/', 'eslint.config.js', 'jest.config.js'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read loosely-typed JSON responses; strict typing there adds noise, not safety.
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...moduleBoundaries,
  entityBoundaries,
  commonBoundaries,
  databaseBoundaries,
  {
    // Plain Node scripts (benchmarks): no type information, Node globals.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
      },
    },
  },
);
