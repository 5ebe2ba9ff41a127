import './config/load-dotenv.js';
import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { type AppConfig, loadConfig } from './config/app.config.js';
import { ConfigError } from './config/config-error.js';
import { exitGracefullyOnSignals } from './common/lifecycle/graceful-shutdown.js';

/** Validates the environment, or exits with one line naming the bad variable. */
function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  // Imported only after validation, so a bad environment fails fast with its one line.
  const { createApp } = await import('./app.factory.js');
  const app = await createApp(config);
  const logger = app.get(Logger);
  if (config.auth.jwtSecretIsEphemeral) {
    logger.warn(
      'JWT_SECRET is not set: using an ephemeral secret; tokens will not survive a restart',
    );
  }
  exitGracefullyOnSignals(app, {
    timeoutMs: config.shutdownTimeoutMs,
    logger,
    httpServer: app.getHttpServer(),
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  logger.log(`Conduit Platform listening on ${await app.getUrl()} (Swagger UI at /docs)`);
}

void bootstrap();
