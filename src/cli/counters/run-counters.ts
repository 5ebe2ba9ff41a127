import '../../config/load-dotenv.js';
import 'reflect-metadata';
import { loadConfigOrExit } from '../../config/load-config-or-exit.js';
import {
  COUNTERS_USAGE,
  CountersArgsError,
  parseCountersArgs,
  type CountersCommand,
} from './counters-args.js';

/**
 * `npm run counters -- --verify | --repair`: checks the article counts that database triggers
 * keep (`article_counts`, behind every list's `articlesCount`) against a fresh COUNT(*) of
 * their rows, and rewrites those that differ. Counts only drift if triggers were bypassed
 * (e.g. rows loaded with triggers disabled); a repair is safe while the server runs.
 */

/** How many differing counts are printed (all are repaired). */
const SHOWN = 20;

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function readCommand(): CountersCommand {
  try {
    return parseCountersArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CountersArgsError)
      fail(`counters: ${error.message}\n${COUNTERS_USAGE}`, 2);
    throw error;
  }
}

async function run(): Promise<number> {
  const command = readCommand();
  if (command === 'help') {
    process.stdout.write(`${COUNTERS_USAGE}\n`);
    return 0;
  }
  const config = loadConfigOrExit();

  // Imported after the environment is final: entity decorators read DATABASE_URL when loaded.
  const { DataSource } = await import('typeorm');
  const { buildDataSourceOptions } = await import('../../database/data-source-options.js');
  const { TransactionRunner } = await import('../../database/transaction-runner.js');
  const { ArticleCount, ArticleCounts } = await import('../../modules/articles/index.js');

  // Recounting a large database may outlast the per-request statement timeout.
  const database =
    config.database.type === 'postgres'
      ? { ...config.database, statementTimeoutMs: 3_600_000 }
      : config.database;
  const dataSource = new DataSource(buildDataSourceOptions(database));
  await dataSource.initialize();
  try {
    if (await dataSource.showMigrations())
      fail(
        'counters: the database has pending migrations; apply them first (npm run migration:run)',
      );
    const counts = new ArticleCounts(dataSource.getRepository(ArticleCount));
    const started = performance.now();
    const wrong =
      command === 'verify'
        ? await counts.mismatches()
        : await new TransactionRunner(dataSource).run((manager) => counts.repair(manager));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const m of wrong.slice(0, SHOWN))
      log(`${m.scope} ${m.keyId}: stored ${m.stored}, actual ${m.actual}`);
    if (wrong.length > SHOWN) log(`… and ${wrong.length - SHOWN} more`);
    if (wrong.length === 0) {
      log(`every count is exact (${seconds} s)`);
      return 0;
    }
    if (command === 'repair') {
      log(`repaired ${wrong.length} count(s) (${seconds} s)`);
      return 0;
    }
    log(`${wrong.length} count(s) differ from their rows (${seconds} s); run with --repair`);
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

function log(message: string): void {
  process.stdout.write(`counters: ${message}\n`);
}

run().then(
  (code) => process.exit(code),
  (error: unknown) =>
    fail(
      `counters failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    ),
);
