import { Body, Controller, Get, HttpCode, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.guard.js';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';
import { clientInfo } from './client-info.js';
import { LoginDto } from './dto/login.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserResponse } from './dto/user.response.js';

/** The RealWorld account endpoints: register, login, current user. */
@ApiTags('User and Authentication')
@Controller()
export class AccountController {
  constructor(
    private readonly authService: AuthService,
    private readonly usersService: UsersService,
  ) {}

  @Post('users')
  @Public()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Register a new user; returns access and refresh tokens' })
  async register(@Body() body: RegisterDto, @Req() request: FastifyRequest): Promise<UserResponse> {
    const issued = await this.authService.register(body.user, clientInfo(request));
    return UserResponse.of(issued.user, issued.accessToken, issued.refreshToken);
  }

  @Post('users/login')
  @HttpCode(200)
  @Public()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Log in with email and password; starts a new session' })
  async login(@Body() body: LoginDto, @Req() request: FastifyRequest): Promise<UserResponse> {
    const issued = await this.authService.login(
      body.user.email,
      body.user.password,
      clientInfo(request),
    );
    return UserResponse.of(issued.user, issued.accessToken, issued.refreshToken);
  }

  @Get('user')
  @ApiOperation({ summary: 'Get the current user' })
  async current(@CurrentUser() caller: AuthenticatedUser): Promise<UserResponse> {
    return UserResponse.of(await this.usersService.getById(caller.id), caller.token);
  }

  @Put('user')
  @ApiOperation({ summary: 'Update the current user (email, username, password, bio, image)' })
  async update(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: UpdateUserDto,
  ): Promise<UserResponse> {
    return UserResponse.of(await this.usersService.update(caller.id, body.user), caller.token);
  }
}
