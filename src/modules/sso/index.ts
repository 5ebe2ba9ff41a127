/**
 * Public surface of the single-sign-on module: the only file other feature modules may import
 * from it (entity files excepted, see eslint.config.js).
 */
export { SsoModule } from './sso.module.js';
export { UserIdentity } from './entities/user-identity.entity.js';
