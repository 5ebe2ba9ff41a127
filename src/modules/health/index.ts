/**
 * Public surface of the health module: the only file other feature modules may import from it
 * (see eslint.config.js).
 */
export { HealthModule } from './health.module.js';
