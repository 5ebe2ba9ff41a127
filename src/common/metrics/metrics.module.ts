import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { HttpMetrics, type PoolStats } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';

/** Request metrics (recorded by a Fastify hook in app.factory.ts) and the /metrics endpoint. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: HttpMetrics,
      inject: [getDataSourceToken()],
      useFactory: (dataSource: DataSource) =>
        new HttpMetrics(() => (dataSource.driver as { master?: PoolStats }).master),
    },
  ],
  exports: [HttpMetrics],
})
export class MetricsModule {}
