import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from './config/app.config.js';

/**
 * `npm run openapi`: writes the OpenAPI document the server serves at /docs-json to a file
 * (default `openapi.json`, or the first argument) without listening. Runs from the built code
 * because the Swagger CLI plugin, which adds the DTO schemas, only runs in `nest build`.
 * The app is built on an in-memory SQLite database with no Redis, so it needs no
 * configuration; the document does not depend on either.
 */
async function exportOpenApi(outFile: string): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SQLITE_PATH: ':memory:',
  });
  const { createApp } = await import('./app.factory.js');
  const app = await createApp(config, { swaggerUi: false });
  try {
    await app.init();
    const response = await app.inject({ method: 'GET', url: '/docs-json' });
    if (response.statusCode !== 200) {
      throw new Error(`GET /docs-json answered ${response.statusCode}: ${response.body}`);
    }
    writeFileSync(outFile, `${JSON.stringify(response.json(), null, 2)}\n`);
  } finally {
    await app.close();
  }
}

const outFile = resolve(process.argv[2] ?? 'openapi.json');
exportOpenApi(outFile).then(
  () => console.log(`OpenAPI document written to ${outFile}`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
