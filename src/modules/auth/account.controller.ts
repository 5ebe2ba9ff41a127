import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorEnvelope } from '../../common/errors/error-envelope.js';
import { AllowUnverified, Public } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { Origin, type RequestOrigin } from '../../common/http/request-origin.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.guard.js';
import { UsersService } from '../users/index.js';
import { AuthService } from './auth.service.js';
import { SessionsService } from './sessions.service.js';
import { LoginDto } from './dto/login.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserResponse } from './dto/user.response.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';

/** The RealWorld account endpoints: register, login, current user. */
@ApiTags('User and Authentication')
@Controller()
export class AccountController {
  constructor(
    private readonly authService: AuthService,
    private readonly usersService: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  @Post('users')
  @Public()
  @RateLimit('auth')
  @Idempotent()
  @ApiOperation({ summary: 'Register a new user; returns access and refresh tokens' })
  @ApiConflictResponse({ description: 'Email or username already taken', type: ErrorEnvelope })
  async register(
    @Body() body: RegisterDto,
    @Origin() origin: RequestOrigin,
  ): Promise<UserResponse> {
    const issued = await this.authService.register(body.user, origin);
    return UserResponse.of(issued.user, issued.accessToken, issued.refreshToken);
  }

  @Post('users/login')
  @HttpCode(200)
  @Public()
  @RateLimit('auth')
  @Idempotent()
  @ApiOperation({ summary: 'Log in with email and password; starts a new session' })
  @ApiUnauthorizedResponse({ description: 'Email or password is invalid', type: ErrorEnvelope })
  @ApiTooManyRequestsResponse({
    description:
      'Too many requests from this address, too many failed logins on this account from this address, or (for addresses that never logged into it) on this account',
    type: ErrorEnvelope,
  })
  async login(@Body() body: LoginDto, @Origin() origin: RequestOrigin): Promise<UserResponse> {
    const issued = await this.authService.login(body.user.email, body.user.password, origin);
    return UserResponse.of(issued.user, issued.accessToken, issued.refreshToken);
  }

  @Get('user')
  @ApiOperation({ summary: 'Get the current user' })
  async current(@CurrentUser() caller: AuthenticatedUser): Promise<UserResponse> {
    return UserResponse.of(await this.usersService.getAccountFields(caller.id), caller.token);
  }

  @Put('user')
  @AllowUnverified()
  @ApiOperation({
    summary: 'Update the current user (email, username, password, bio, image)',
    description:
      'Changing email or password needs `currentPassword` or an access token from a login less than RECENT_AUTH_MAX_AGE_SECONDS old (refreshes keep the login time). Identity changes count against the auth rate-limit budget.',
  })
  @ApiConflictResponse({ description: 'Email or username already taken', type: ErrorEnvelope })
  @ApiForbiddenResponse({
    description: 'REAUTHENTICATION_REQUIRED: send `currentPassword`, or log in again',
    type: ErrorEnvelope,
  })
  @ApiTooManyRequestsResponse({ description: 'Too many identity changes', type: ErrorEnvelope })
  async update(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: UpdateUserDto,
    @Origin() origin: RequestOrigin,
  ): Promise<UserResponse> {
    const user = await this.authService.updateAccount(caller, body.user, origin);
    return UserResponse.of(user, caller.token);
  }
}
