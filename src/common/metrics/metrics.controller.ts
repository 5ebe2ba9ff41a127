import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, Inject, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '../../config/app.config.js';
import { Public } from '../auth/auth.decorators.js';
import { extractAccessToken } from '../auth/token-extractor.js';
import { UnauthorizedError } from '../errors/domain-errors.js';
import { RateLimit } from '../rate-limit/rate-limit.guard.js';
import { HttpMetrics } from './http-metrics.js';

/**
 * Prometheus scrape endpoint at /metrics (outside /api). Off unless METRICS_TOKEN is set; the
 * scraper sends it as `Authorization: Bearer <token>`.
 */
@ApiExcludeController()
@Controller('metrics')
@Public()
@RateLimit('none')
export class MetricsController {
  constructor(
    private readonly config: AppConfig,
    @Inject(HttpMetrics) private readonly metrics: HttpMetrics,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(@Headers('authorization') authorization?: string): Promise<string> {
    const expected = this.config.metricsToken;
    // Off: exactly what an unknown route answers (ROUTE_NOT_FOUND), so nothing tells it apart.
    if (!expected) throw new NotFoundException('Cannot GET /metrics');
    const presented = extractAccessToken(authorization) ?? '';
    if (!sameSecret(presented, expected))
      throw new UnauthorizedError('a valid metrics token is required');
    return this.metrics.render();
  }
}

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
