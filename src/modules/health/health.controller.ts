import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../../common/auth/auth.decorators.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.guard.js';
import { AppConfig } from '../../config/app.config.js';

/** Liveness checks no dependency: the answer is always this (terminus's shape, no indicators). */
const LIVE: HealthCheckResult = Object.freeze({ status: 'ok', info: {}, error: {}, details: {} });

/** Probes for orchestrators: liveness never touches dependencies; readiness pings the database. */
@ApiTags('Health')
@Controller('health')
@Public()
@RateLimit('none')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process is up' })
  live(): HealthCheckResult {
    return LIVE;
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: the database answers within DATABASE_READY_TIMEOUT_MS (503 otherwise)',
  })
  ready() {
    const timeout = this.config.database.readinessTimeoutMs;
    return this.health.check([() => this.database.pingCheck('database', { timeout })]);
  }
}
