import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Pool figures of the PostgreSQL driver (node-postgres `Pool`). */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The application's Prometheus metrics, in a registry of its own (not prom-client's global
 * one) so several app instances in one process, as in the tests, do not collide.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status_code'>;
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(pool: () => PoolStats | undefined) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route pattern, method and status',
      labelNames: ['method', 'route', 'status_code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route pattern, method and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const stat = (name: string, help: string, key: keyof PoolStats) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const stats = pool();
          if (stats) this.set(stats[key]);
        },
      });
    stat('db_pool_connections', 'Open database connections (PostgreSQL pool)', 'totalCount');
    stat('db_pool_idle_connections', 'Idle database connections (PostgreSQL pool)', 'idleCount');
    stat(
      'db_pool_waiting_requests',
      'Queries waiting for a connection (PostgreSQL pool)',
      'waitingCount',
    );
  }

  /**
   * Records one finished request. `route` is the matched route pattern (`/api/articles/:slug`),
   * never the raw URL, so label cardinality stays bounded.
   */
  observe(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    const labels = { method, route: route ?? 'unmatched', status_code: String(statusCode) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
