import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app.config.js';
import { createTestDatabase } from './test-database.js';

export const TEST_JWT_SECRET = 'e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/** A running application on a random port with its own fresh database. */
export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Starts the real application (same factory as production) listening on port 0. `env`
 * overrides configuration, e.g. `{ RATE_LIMIT_MAX: '5' }`.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '100000',
    RATE_LIMIT_AUTH_MAX: '100000',
    ...database.env,
    ...env,
  });
  const app = await createApp(config, { swaggerUi: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataSource: app.get(DataSource),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
