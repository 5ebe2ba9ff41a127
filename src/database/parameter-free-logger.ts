import { type Logger, type LoggerOptions, type QueryRunner, SimpleConsoleLogger } from 'typeorm';

/**
 * TypeORM's console logger minus the bound parameters (DATABASE_LOGGING=true): they hold
 * password hashes, refresh-token hashes and personal data, which must not reach the log. The
 * SQL text itself only ever has placeholders. Plain text (TypeORM's simple logger): the
 * advanced one adds colour codes whenever it believes a terminal is attached (e.g. CI=true),
 * which a log collector stores as noise.
 */
export class ParameterFreeLogger implements Logger {
  private readonly inner: SimpleConsoleLogger;

  constructor(options?: LoggerOptions) {
    this.inner = new SimpleConsoleLogger(options);
  }

  logQuery(query: string, _parameters?: unknown, queryRunner?: QueryRunner) {
    return this.inner.logQuery(query, undefined, queryRunner);
  }

  logQueryError(error: string | Error, query: string, _parameters?: unknown, runner?: QueryRunner) {
    // Its declaration says string, but it prints whatever it is given (an Error too).
    return this.inner.logQueryError(error as string, query, undefined, runner);
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown, queryRunner?: QueryRunner) {
    return this.inner.logQuerySlow(time, query, undefined, queryRunner);
  }

  logSchemaBuild(message: string, queryRunner?: QueryRunner) {
    return this.inner.logSchemaBuild(message, queryRunner);
  }

  logMigration(message: string, queryRunner?: QueryRunner) {
    return this.inner.logMigration(message, queryRunner);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown, queryRunner?: QueryRunner) {
    return this.inner.log(level, message, queryRunner);
  }
}
