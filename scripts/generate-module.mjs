#!/usr/bin/env node
/**
 * `npm run generate:module -- <name> [--singular <word>] [--plural <word>] [--dry-run]`
 *
 * Creates a feature module in the house layout (module, controller, DTOs, service, entity,
 * ownership policy, migration, unit and e2e tests) and registers it in src/app.module.ts,
 * src/database/entities.ts and src/database/migrations/index.ts. See docs/adding-a-module.md.
 * Exits 1 with one line on stderr when the name is invalid or taken; never overwrites a file.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  formatPlan,
  GeneratorError,
  ModuleNameError,
  planModule,
  writePlan,
} from './module-generator/generator.mjs';

const USAGE = `usage: npm run generate:module -- <name> [options]

  <name>               kebab-case, singular or plural: bookmarks, reading-list
  --singular <word>    the singular, for irregular words (--singular person)
  --plural <word>      the plural, for irregular words (--plural people)
  --root <dir>         repository to generate into (default: this repository)
  --dry-run            print what would be written, write nothing
  --help               this text`;

function fail(message) {
  process.stderr.write(`generate:module: ${message}\n`);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      singular: { type: 'string' },
      plural: { type: 'string' },
      root: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  fail(`${error.message}\n${USAGE}`);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.positionals.length !== 1) fail(`expected one module name\n${USAGE}`);

const root = resolve(args.values.root ?? dirname(dirname(fileURLToPath(import.meta.url))));
try {
  const plan = await formatPlan(
    planModule({
      root,
      name: args.positionals[0],
      singular: args.values.singular,
      plural: args.values.plural,
    }),
    root,
  );
  const { names } = plan;
  const verb = args.values['dry-run'] ? 'would create' : 'created';
  if (!args.values['dry-run']) writePlan(plan, root);
  console.log(`${names.Entities}Module at /api/${names.kebabs} (table ${names.table})`);
  for (const file of plan.files) console.log(`  ${verb}  ${file.path}`);
  for (const edit of plan.edits)
    console.log(`  ${args.values['dry-run'] ? 'would update' : 'updated'}  ${edit.path}`);
  if (!plan.formatted) console.log('Prettier not found: run `npm run format` before committing.');
  if (!args.values['dry-run']) {
    console.log(`
Next:
  npm run test:unit -- --testPathPatterns src/modules/${names.kebabs}/
  npm run test:e2e -- --testPathPatterns test/e2e/${names.kebabs}.e2e-spec
  npm run lint
Then make it yours: fields in entities/${names.kebab}.entity.ts, the migration and the DTOs
(docs/adding-a-module.md).`);
  }
} catch (error) {
  if (error instanceof ModuleNameError || error instanceof GeneratorError) fail(error.message);
  throw error;
}
