import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowUnverified, Public } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { OwnedBy } from '../../common/auth/ownership.guard.js';
import { Origin, type RequestOrigin } from '../../common/http/request-origin.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.guard.js';
import { AuthService } from './auth.service.js';
import { ListSessionsQuery } from './dto/list-sessions.query.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { SessionListResponse, SessionView } from './dto/session.response.js';
import { UserResponse } from './dto/user.response.js';
import { SessionOwnershipPolicy } from './session-ownership.policy.js';
import { SessionsService } from './sessions.service.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';

/** Token refresh, logout and session management (beyond RealWorld). */
@ApiTags('Sessions')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly authService: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @RateLimit('auth')
  @Idempotent()
  @ApiOperation({
    summary:
      'Exchange a refresh token for new tokens (single use; reuse revokes the session, except a repeat by the same client within REFRESH_GRACE_SECONDS, which gets the same pair)',
  })
  async refresh(
    @Body() body: RefreshTokenDto,
    @Origin() origin: RequestOrigin,
  ): Promise<UserResponse> {
    const issued = await this.authService.refresh(body.refreshToken, origin);
    return UserResponse.of(issued.user, issued.accessToken, issued.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @AllowUnverified()
  @ApiOperation({ summary: 'End the current session (its access and refresh tokens stop working)' })
  async logout(
    @CurrentUser() caller: AuthenticatedUser,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    await this.sessions.revoke(caller.sessionId, 'logout', origin);
  }

  @Get('sessions')
  @ApiOperation({ summary: "List the caller's active sessions" })
  async list(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: ListSessionsQuery,
  ): Promise<SessionListResponse> {
    const page = await this.sessions.listActive(caller.id, query);
    return {
      sessions: page.items.map((session) => SessionView.from(session, caller.sessionId)),
      sessionsCount: page.total,
      nextCursor: page.nextCursor,
    };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @AllowUnverified()
  @OwnedBy(SessionOwnershipPolicy)
  @ApiOperation({ summary: 'Revoke one of your sessions (403 for sessions of other users)' })
  async revoke(@Param('id') id: string, @Origin() origin: RequestOrigin): Promise<void> {
    await this.sessions.revoke(id, 'revoked_by_user', origin);
  }
}
