import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app.config.js';
import { AuditModule } from '../audit/index.js';
import { UsersModule } from '../users/index.js';
import {
  AccessTokenService,
  JWT_ALGORITHM,
  JWT_AUDIENCE,
  JWT_ISSUER,
} from './access-token.service.js';
import { AccountController } from './account.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LoginThrottle } from './login-throttle.js';
import { RecentAuthService } from './recent-auth.service.js';
import { RecentAuthGuard } from './require-recent-auth.decorator.js';
import { SessionOwnershipPolicy } from './session-ownership.policy.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [
    UsersModule,
    AuditModule,
    PassportModule,
    TypeOrmModule.forFeature([Session, RefreshToken]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.auth.jwtSecret,
        signOptions: {
          algorithm: JWT_ALGORITHM,
          expiresIn: config.auth.accessTokenTtlSeconds,
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
        },
        verifyOptions: { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
      }),
    }),
  ],
  controllers: [AccountController, AuthController],
  providers: [
    AuthService,
    SessionsService,
    AccessTokenService,
    JwtStrategy,
    SessionOwnershipPolicy,
    LoginThrottle,
    RecentAuthService,
    RecentAuthGuard,
  ],
  exports: [SessionsService, AuthService, RecentAuthService, RecentAuthGuard],
})
export class AuthModule {}
