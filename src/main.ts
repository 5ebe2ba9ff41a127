import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/app.config.js';

// A local .env is convenient in development; real deployments set the environment directly.
if (existsSync('.env')) process.loadEnvFile('.env');

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Imported after validation so a bad environment fails fast with one line.
  const { createApp } = await import('./app.factory.js');
  const app = await createApp(config);
  if (config.auth.jwtSecretIsEphemeral) {
    app
      .get((await import('nestjs-pino')).Logger)
      .warn('JWT_SECRET is not set: using an ephemeral secret; tokens will not survive a restart');
  }
  await app.listen({ host: config.http.host, port: config.http.port });
  app
    .get((await import('nestjs-pino')).Logger)
    .log(`Conduit Platform listening on ${await app.getUrl()} (docs at /docs)`);
}

void bootstrap();
