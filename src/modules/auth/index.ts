/**
 * Public surface of the auth module: the only file other feature modules may import from it
 * (entity files excepted, see eslint.config.js).
 */
export { AuthModule } from './auth.module.js';
export { AuthService } from './auth.service.js';
export { SessionsService } from './sessions.service.js';
export { RecentAuthService } from './recent-auth.service.js';
export { RecentAuthGuard, RequireRecentAuth } from './require-recent-auth.decorator.js';
export { CurrentPasswordField } from './dto/current-password-field.js';
export { Session } from './entities/session.entity.js';
export { RefreshToken } from './entities/refresh-token.entity.js';
export { UserResponse } from './dto/user.response.js';
export type { IssuedCredentials } from './auth.service.js';
export { AccountLifecycle } from './account-lifecycle.js';
export type { RevokeReason } from './sessions.service.js';
