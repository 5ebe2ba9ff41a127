import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.js';
import { Origin, type RequestOrigin } from '../../common/http/request-origin.js';
import { AdminUserView } from '../users/index.js';
import { AdminUsersService } from './admin-users.service.js';
import {
  AdminUserResponse,
  AdminUserUpdateDto,
  UserIdParams,
} from './dto/admin-user-update.dto.js';

/** Administrators acting on one account; every change is audited. */
@ApiTags('Admin')
@Controller('users')
@Roles('admin')
export class AdminUsersController {
  constructor(private readonly admin: AdminUsersService) {}

  @Get(':id')
  @ApiOperation({ summary: 'Get one user (admin only)' })
  @ApiNotFoundResponse({ description: 'No user has this id', type: ErrorEnvelope })
  async get(@Param() params: UserIdParams): Promise<AdminUserResponse> {
    return { user: AdminUserView.from(await this.admin.get(params.id)) };
  }

  @Patch(':id')
  @ApiOperation({
    summary: "Change a user's role or disable/enable the account (admin only)",
    description:
      'Disabling ends every session of the user at once; login then answers 403 ' +
      '`ACCOUNT_DISABLED`. Demoting or disabling the last active administrator answers 409.',
  })
  @ApiNotFoundResponse({ description: 'No user has this id', type: ErrorEnvelope })
  @ApiConflictResponse({
    description: 'The change would leave no active administrator',
    type: ErrorEnvelope,
  })
  async update(
    @CurrentUser() caller: AuthenticatedUser,
    @Param() params: UserIdParams,
    @Body() body: AdminUserUpdateDto,
    @Origin() origin: RequestOrigin,
  ): Promise<AdminUserResponse> {
    const user = await this.admin.update(caller, params.id, body.user, origin);
    return { user: AdminUserView.from(user) };
  }
}
