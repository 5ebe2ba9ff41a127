import '../../config/load-dotenv.js';
import 'reflect-metadata';
import { loadConfigOrExit } from '../../config/load-config-or-exit.js';

/**
 * `npm run seed`: applies pending migrations, then creates the administrator named by
 * ADMIN_EMAIL / ADMIN_PASSWORD / ADMIN_USERNAME, or promotes an existing account with that
 * email (its password is kept). Safe to run any number of times.
 */

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function seed(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.admin) {
    fail(
      'Seed needs an administrator: set ADMIN_EMAIL and ADMIN_PASSWORD (and optionally ADMIN_USERNAME)',
    );
  }
  const admin = config.admin;

  // Imported after the environment is final: entity decorators read DATABASE_URL when loaded.
  const { DataSource } = await import('typeorm');
  const { buildDataSourceOptions } = await import('../data-source-options.js');
  const { TransactionRunner } = await import('../transaction-runner.js');
  const { Paginator } = await import('../../common/pagination/paginator.js');
  const { ConflictError } = await import('../../common/errors/domain-errors.js');
  const { User } = await import('../../modules/users/entities/user.entity.js');
  const { PasswordHasher } = await import('../../modules/users/password-hasher.js');
  const { UsersService } = await import('../../modules/users/users.service.js');
  const { CacheService } = await import('../../common/cache/cache.service.js');

  const dataSource = new DataSource(buildDataSourceOptions(config.database));
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
    const before = await repository.findOneBy({ email: admin.email });
    try {
      const account = await users.ensureAdmin(admin);
      const outcome = !before
        ? 'created'
        : before.role === 'admin'
          ? 'already an administrator'
          : 'promoted to administrator';
      log(`admin ${account.email} (${account.username}): ${outcome}`);
    } catch (error) {
      if (error instanceof ConflictError && error.field === 'username') {
        fail(
          `Seed failed: username "${admin.username}" belongs to another account; set ADMIN_USERNAME to a free username`,
        );
      }
      throw error;
    }
  } finally {
    await dataSource.destroy();
  }
}

function log(message: string): void {
  process.stdout.write(`seed: ${message}\n`);
}

seed().catch((error: unknown) => {
  process.stderr.write(
    `Seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
