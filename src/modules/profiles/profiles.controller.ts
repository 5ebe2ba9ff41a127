import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OptionalAuth } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { ProfileResponse } from './dto/profile.response.js';
import { ProfilesService } from './profiles.service.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';

@ApiTags('Profile')
@Controller('profiles/:username')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get()
  @OptionalAuth()
  @ApiOperation({ summary: 'Get a profile' })
  async get(
    @Param('username') username: string,
    @CurrentUser() caller?: AuthenticatedUser,
  ): Promise<ProfileResponse> {
    return { profile: await this.profiles.getProfile(username, caller?.id) };
  }

  @Post('follow')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Follow a user (idempotent)' })
  async follow(
    @Param('username') username: string,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<ProfileResponse> {
    return { profile: await this.profiles.follow(caller.id, username) };
  }

  @Delete('follow')
  @ApiOperation({ summary: 'Unfollow a user (idempotent)' })
  async unfollow(
    @Param('username') username: string,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<ProfileResponse> {
    return { profile: await this.profiles.unfollow(caller.id, username) };
  }
}
