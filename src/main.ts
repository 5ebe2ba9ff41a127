import './config/load-dotenv.js';
import 'reflect-metadata';
import { loadConfigOrExit } from './config/load-config-or-exit.js';
import { exitGracefullyOnSignals, HttpDrain } from './common/lifecycle/graceful-shutdown.js';
import { AppLogger } from './common/logging/app-logger.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  // Imported only after validation, so a bad environment fails fast with its one line.
  const { createApp } = await import('./app.factory.js');
  const app = await createApp(config);
  const logger = app.get(AppLogger);
  if (config.auth.jwtSecretIsEphemeral) {
    logger.warn(
      'JWT_SECRET is not set: using an ephemeral secret; tokens will not survive a restart',
    );
  }
  exitGracefullyOnSignals(app, {
    timeoutMs: config.shutdownTimeoutMs,
    logger,
    drain: HttpDrain.of(app.getHttpAdapter().getInstance()),
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  logger.log(`Conduit Platform listening on ${await app.getUrl()} (Swagger UI at /docs)`);
}

void bootstrap();
