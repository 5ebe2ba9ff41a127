/** Public surface of the accounts module (see eslint.config.js). */
export { AccountsModule } from './accounts.module.js';
export { AccountToken } from './entities/account-token.entity.js';
