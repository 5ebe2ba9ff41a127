/**
 * Public surface of the {{kebabs}} module: the only file other feature modules may import from
 * it (entity files excepted, see eslint.config.js).
 */
export { {{Entities}}Module } from './{{kebabs}}.module.js';
export { {{Entities}}Service } from './{{kebabs}}.service.js';
export { {{Entity}} } from './entities/{{kebab}}.entity.js';
