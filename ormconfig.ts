import './src/config/load-dotenv.js';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app.config.js';
import { buildDataSourceOptions } from './src/database/data-source-options.js';

/**
 * DataSource for the TypeORM CLI (`npm run migration:*`), built from the same configuration
 * code as the application. The scripts run it from the compiled output in dist/.
 */
export default new DataSource(buildDataSourceOptions(loadConfig().database));
