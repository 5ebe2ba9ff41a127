import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtAuthGuard } from './common/auth/jwt-auth.guard.js';
import { RolesGuard } from './common/auth/roles.guard.js';
import { VerifiedEmailGuard } from './common/auth/verified-email.guard.js';
import { CacheModule } from './common/cache/cache.module.js';
import { IdempotencyModule } from './common/idempotency/idempotency.module.js';
import { GlobalExceptionFilter } from './common/errors/global-exception.filter.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { RedisModule } from './common/redis/redis.module.js';
import { AppConfig } from './config/app.config.js';
import { ConfigModule } from './config/config.module.js';
import { buildDataSourceOptions } from './database/data-source-options.js';
import { DatabaseModule } from './database/database.module.js';
import { ArticlesModule } from './modules/articles/articles.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { CommentsModule } from './modules/comments/comments.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { PaginationModule } from './common/pagination/pagination.module.js';
import { ProfilesModule } from './modules/profiles/profiles.module.js';
import { TagsModule } from './modules/tags/tags.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { SsoModule } from './modules/sso/sso.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { MailModule } from './modules/mail/mail.module.js';
import { AccountsModule } from './modules/accounts/accounts.module.js';
// generate:module inserts imports above this line

/** Wires the application together; no logic lives here. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        RedisModule,
        RateLimitModule,
        CacheModule,
        PaginationModule,
        DatabaseModule,
        IdempotencyModule,
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(config.database), migrationsRun: true }),
        AuditModule,
        MailModule,
        UsersModule,
        AuthModule,
        ProfilesModule,
        TagsModule,
        ArticlesModule,
        CommentsModule,
        SsoModule,
        AccountsModule,
        // generate:module inserts modules above this line
        HealthModule,
        MetricsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
        // Order matters: throttle first, then authenticate, then authorise by role, then the
        // verified-email policy.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: VerifiedEmailGuard },
      ],
    };
  }
}
