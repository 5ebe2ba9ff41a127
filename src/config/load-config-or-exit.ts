import { type AppConfig, loadConfig } from './app.config.js';
import { ConfigError } from './config-error.js';

/**
 * For entry points (server, cluster primary, seed): the validated configuration, or exit 1
 * with one line naming the bad variable instead of a stack trace.
 */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
