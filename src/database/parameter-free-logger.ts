import { AdvancedConsoleLogger, type Logger, type LoggerOptions, type QueryRunner } from 'typeorm';

/**
 * TypeORM's console logger minus the bound parameters (DATABASE_LOGGING=true): they hold
 * password hashes, refresh-token hashes and personal data, which must not reach the log. The
 * SQL text itself only ever has placeholders.
 */
export class ParameterFreeLogger implements Logger {
  private readonly inner: AdvancedConsoleLogger;

  constructor(options?: LoggerOptions) {
    this.inner = new AdvancedConsoleLogger(options);
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
