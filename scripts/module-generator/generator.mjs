/**
 * The module generator: renders scripts/templates/module/ for one name and registers the result
 * in the app module, the entity list and the migration list (at the `generate:module` marker
 * comments). Plain Node, no dependencies; Prettier is used for the final layout when the
 * repository has it installed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveNames } from './names.mjs';

export { ModuleNameError } from './names.mjs';

/** The templates: a tree mirroring the repository, file names with `__kebab__`-style slots. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../templates/module/', import.meta.url));

/** A generation that cannot go ahead (a file would be overwritten, a marker is missing…). */
export class GeneratorError extends Error {
  name = 'GeneratorError';
}

/**
 * Where the generator registers a module. Each marker is a comment line in the file; the new
 * line goes just above it, with the marker's indentation.
 */
export const REGISTRATIONS = [
  {
    file: 'src/app.module.ts',
    marker: '// generate:module inserts imports above this line',
    line: (n) => `import { ${n.Entities}Module } from './modules/${n.kebabs}/index.js';`,
  },
  {
    file: 'src/app.module.ts',
    marker: '// generate:module inserts modules above this line',
    line: (n) => `${n.Entities}Module,`,
  },
  {
    file: 'src/database/entities.ts',
    marker: '// generate:module inserts imports above this line',
    // The entity file itself, not the module's index.ts: the data source (and the migration
    // CLI) must not load controllers and services.
    line: (n) =>
      `import { ${n.Entity} } from '../modules/${n.kebabs}/entities/${n.kebab}.entity.js';`,
  },
  {
    file: 'src/database/entities.ts',
    marker: '// generate:module inserts entities above this line',
    line: (n) => `${n.Entity},`,
  },
  {
    file: 'src/database/migrations/index.ts',
    marker: '// generate:module inserts imports above this line',
    line: (n) => `import { ${n.MigrationClass} } from './${n.timestamp}-create-${n.kebabs}.js';`,
  },
  {
    file: 'src/database/migrations/index.ts',
    marker: '// generate:module inserts migrations above this line',
    line: (n) => `${n.MigrationClass},`,
  },
];

/** Replaces every `{{key}}` with `values[key]`; an unknown key is a bug in a template. */
export function render(template, values, source = 'template') {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key) => {
    if (!(key in values)) throw new GeneratorError(`${source}: unknown placeholder {{${key}}}`);
    return String(values[key]);
  });
}

/** Inserts `line` above the marker comment, indented like it. */
export function insertAboveMarker(source, marker, line, file = 'file') {
  const lines = source.split('\n');
  const at = lines.flatMap((text, index) => (text.trim() === marker ? [index] : []));
  if (at.length !== 1) {
    throw new GeneratorError(
      `${file}: expected exactly one line "${marker}", found ${at.length}; restore it and run again`,
    );
  }
  const indent = lines[at[0]].match(/^\s*/)[0];
  lines.splice(at[0], 0, `${indent}${line}`);
  return lines.join('\n');
}

function listTemplates(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTemplates(path, base);
    return entry.name.endsWith('.tpl') ? [relative(base, path).split(sep).join('/')] : [];
  });
}

function filesUnder(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** A migration timestamp after `now` and after every existing migration (order matters). */
function migrationTimestamp(root, now) {
  const existing = readdirSync(join(root, 'src/database/migrations'))
    .map((name) => /^(\d{13})-/.exec(name)?.[1])
    .filter(Boolean)
    .map(Number);
  return Math.max(now, ...existing.map((stamp) => stamp + 1));
}

/** Refuses names whose table, route or classes the application already has. */
function assertUnused(root, n) {
  const taken = new Map();
  for (const dir of [n.kebabs, n.kebab]) {
    const folder = `src/modules/${dir}`;
    if (existsSync(join(root, folder))) taken.set(`module folder ${folder}`, folder);
  }
  const patterns = [
    [new RegExp(`@Entity\\(\\s*['"]${n.table}['"]`), `table "${n.table}"`],
    [new RegExp(`@Controller\\(\\s*['"]/?${n.kebabs}(?:['"/])`), `route /api/${n.kebabs}`],
    [new RegExp(`\\bclass ${n.Entity}\\b`), `class ${n.Entity}`],
    [
      new RegExp(`\\bclass ${n.Entities}(?:Module|Service|Controller)\\b`),
      `${n.Entities}* classes`,
    ],
  ];
  const sources = filesUnder(join(root, 'src'), '.ts').filter((file) => !file.endsWith('.spec.ts'));
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const [pattern, what] of patterns) {
      if (!taken.has(what) && pattern.test(text)) taken.set(what, relative(root, file));
    }
  }
  if (taken.size > 0) {
    const list = [...taken].map(([what, where]) =>
      what.includes(where) ? what : `${what} (${where})`,
    );
    throw new GeneratorError(
      `"${n.kebabs}" is already taken: ${list.join('; ')}. Choose another name.`,
    );
  }
}

/**
 * Works out everything a generation would write, without writing: the new files (rendered
 * templates) and the registration files with their new lines. Throws {@link ModuleNameError}
 * or {@link GeneratorError} when the generation must not happen.
 *
 * @param {{ root: string, name: string, singular?: string, plural?: string, now?: number }} options
 */
export function planModule({ root, name, singular, plural, now = Date.now() }) {
  const names = deriveNames(name, { singular, plural });
  assertUnused(root, names);
  const timestamp = migrationTimestamp(root, now);
  const values = { ...names, timestamp, MigrationClass: `Create${names.Entities}${timestamp}` };

  const files = listTemplates(TEMPLATE_DIR).map((template) => {
    const path = template
      .replace(/\.tpl$/, '')
      .replaceAll('__kebabs__', names.kebabs)
      .replaceAll('__kebab__', names.kebab)
      .replaceAll('__timestamp__', String(timestamp));
    const content = render(readFileSync(join(TEMPLATE_DIR, template), 'utf8'), values, template);
    return { path, content };
  });
  const existing = files.filter((file) => existsSync(join(root, file.path)));
  if (existing.length > 0) {
    throw new GeneratorError(
      `refusing to overwrite ${existing.map((file) => file.path).join(', ')}`,
    );
  }

  const edits = new Map();
  for (const registration of REGISTRATIONS) {
    const path = registration.file;
    const source = edits.get(path) ?? readFileSync(join(root, path), 'utf8');
    edits.set(
      path,
      insertAboveMarker(source, registration.marker, registration.line(values), path),
    );
  }
  return {
    names: values,
    files,
    edits: [...edits].map(([path, content]) => ({ path, content })),
  };
}

/**
 * Lays the plan out with the repository's Prettier (same result as `npm run format`). Without
 * Prettier installed the files are written as rendered, and `formatted` is false.
 */
export async function formatPlan(plan, root) {
  let prettier;
  try {
    prettier = (await import('prettier')).default;
  } catch {
    return { ...plan, formatted: false };
  }
  const format = async (file) => {
    const filepath = join(root, file.path);
    const options = (await prettier.resolveConfig(filepath)) ?? {};
    return { ...file, content: await prettier.format(file.content, { ...options, filepath }) };
  };
  return {
    ...plan,
    files: await Promise.all(plan.files.map(format)),
    edits: await Promise.all(plan.edits.map(format)),
    formatted: true,
  };
}

/** Writes the plan: new files (never overwriting one) and the registration files. */
export function writePlan(plan, root) {
  for (const file of plan.files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content, { flag: 'wx' });
  }
  for (const edit of plan.edits) writeFileSync(join(root, edit.path), edit.content);
}
