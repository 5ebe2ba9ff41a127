import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../../config/app.config.js';
import { AppLogger } from './app-logger.js';
import { createLoggers } from './loggers.js';
import { RequestLog } from './request-log.js';

/**
 * Structured logging (pino): the Nest logger ({@link AppLogger}) and the per-request line
 * ({@link RequestLog}, written by the onResponse hook in app.factory.ts, with the request id).
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const loggers = createLoggers(config.log);
    return {
      module: LoggingModule,
      global: true,
      providers: [
        { provide: AppLogger, useValue: new AppLogger(loggers.app) },
        { provide: RequestLog, useValue: new RequestLog(loggers.requests) },
      ],
      exports: [AppLogger, RequestLog],
    };
  }
}
