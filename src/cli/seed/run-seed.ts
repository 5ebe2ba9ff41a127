import '../../config/load-dotenv.js';
import 'reflect-metadata';
import { loadConfigOrExit } from '../../config/load-config-or-exit.js';
import { parseSeedArgs, SEED_USAGE, SeedArgsError, type SeedArgs } from './seed-args.js';

/**
 * `npm run seed`: applies pending migrations, then creates the first administrator named by
 * ADMIN_EMAIL / ADMIN_PASSWORD / ADMIN_USERNAME while no administrator exists. It never
 * promotes an existing account, and says so on stderr when it did nothing. Safe to run any
 * number of times.
 *
 * `npm run seed -- --users N --articles N --comments N` also bulk-inserts a generated dataset
 * (see seed-args.ts); the administrator is then optional. Seeded users all share the password
 * SEED_PASSWORD (default `seed-password`). A database that already holds seeded data is left
 * alone unless `--reset` is given.
 */

const DEFAULT_SEED_PASSWORD = 'seed-password';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function readArgs(): SeedArgs {
  try {
    return parseSeedArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof SeedArgsError) fail(`Seed: ${error.message}\n${SEED_USAGE}`);
    throw error;
  }
}

async function seed(): Promise<void> {
  const args = readArgs();
  if (args.help) {
    process.stdout.write(`${SEED_USAGE}\n`);
    return;
  }
  const config = loadConfigOrExit();
  if (!config.admin && !args.data) {
    fail(
      'Seed needs an administrator: set ADMIN_EMAIL and ADMIN_PASSWORD (and optionally ADMIN_USERNAME)',
    );
  }
  const admin = config.admin;

  // Imported after the environment is final: entity decorators read DATABASE_URL when loaded.
  const { DataSource } = await import('typeorm');
  const { buildDataSourceOptions } = await import('../../database/data-source-options.js');
  const { TransactionRunner } = await import('../../database/transaction-runner.js');
  const { Paginator } = await import('../../common/pagination/paginator.js');
  const { User } = await import('../../modules/users/entities/user.entity.js');
  const { PasswordHasher } = await import('../../modules/users/password-hasher.js');
  const { UsersService } = await import('../../modules/users/users.service.js');
  const { describeAdminBootstrap } = await import('../../modules/users/admin-seeder.js');
  const { CacheService } = await import('../../common/cache/cache.service.js');
  const { BulkSeeder } = await import('./bulk-seed.js');

  // Bulk statements and the cascading reset may outlast the per-request statement timeout.
  const database =
    config.database.type === 'postgres'
      ? { ...config.database, statementTimeoutMs: 3_600_000 }
      : config.database;
  const dataSource = new DataSource(buildDataSourceOptions(database));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    log(`migrations: ${applied.length} applied (${dataSource.options.type})`);

    // The very service the application uses at start-up (AdminSeeder), so both agree on what
    // "ensure the administrator" means and hash passwords with the same argon2id parameters.
    const repository = dataSource.getRepository(User);
    const users = new UsersService(
      repository,
      new PasswordHasher(),
      new Paginator(config),
      new TransactionRunner(dataSource),
      // Off: the seed changes no public profile, and holds no cache another process reads.
      new CacheService({ ...config, cache: { ...config.cache, ttlSeconds: 0 } }, null),
    );
    if (admin) {
      const { level, message } = describeAdminBootstrap(await users.bootstrapAdmin(admin));
      (level === 'warn' ? warn : log)(message);
    }
    if (args.data) {
      const seeder = new BulkSeeder(dataSource, log);
      const existing = await seeder.seededUsers();
      if (existing > 0 && !args.reset) {
        log(
          `data: ${existing} seeded users already present; nothing inserted (--reset replaces them)`,
        );
        return;
      }
      if (existing > 0) await seeder.reset();
      const password = process.env.SEED_PASSWORD ?? DEFAULT_SEED_PASSWORD;
      // One argon2id hash shared by every seeded user: hashing 100k passwords would take hours.
      const passwordHash = await new PasswordHasher().hash(password);
      const { rows, seconds } = await seeder.seed(args.data, passwordHash);
      const summary = Object.entries(rows)
        .map(([table, count]) => `${table} ${count}`)
        .join(', ');
      const shown = process.env.SEED_PASSWORD ? 'SEED_PASSWORD' : `"${DEFAULT_SEED_PASSWORD}"`;
      log(`data: ${summary} in ${seconds.toFixed(1)}s; every seeded user's password: ${shown}`);
    }
  } finally {
    await dataSource.destroy();
  }
}

function log(message: string): void {
  process.stdout.write(`seed: ${message}\n`);
}

function warn(message: string): void {
  process.stderr.write(`seed: ${message}\n`);
}

seed().catch((error: unknown) => {
  process.stderr.write(
    `Seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
