import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/index.js';
import { UsersModule } from '../users/index.js';
import { LoginState } from './entities/login-state.entity.js';
import { OneTimeCode } from './entities/one-time-code.entity.js';
import { UserIdentity } from './entities/user-identity.entity.js';
import { IdentitiesController } from './identities.controller.js';
import { IdentitiesService } from './identities.service.js';
import { IdentityOwnershipPolicy } from './identity-ownership.policy.js';
import { OidcProviders } from './oidc-providers.js';
import { SsoController } from './sso.controller.js';
import { SsoService } from './sso.service.js';

/** OpenID Connect single sign-on into the same sessions as the password login. */
@Module({
  imports: [
    UsersModule,
    AuthModule,
    TypeOrmModule.forFeature([UserIdentity, LoginState, OneTimeCode]),
  ],
  controllers: [SsoController, IdentitiesController],
  providers: [OidcProviders, SsoService, IdentitiesService, IdentityOwnershipPolicy],
})
export class SsoModule {}
