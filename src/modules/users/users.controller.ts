import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/auth.decorators.js';
import { AdminUserView, UserListResponse } from './dto/admin-user.response.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { UsersService } from './users.service.js';

@ApiTags('Admin')
@Controller('users')
export class UsersController {
  constructor(private readonly usersService: UsersService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List users (admin only), paginated by offset or cursor' })
  async list(@Query() query: ListUsersQuery): Promise<UserListResponse> {
    const page = await this.usersService.list(query);
    return {
      users: page.items.map((user) => AdminUserView.from(user)),
      usersCount: page.total,
      limit: page.limit,
      offset: page.offset,
      nextCursor: page.nextCursor,
    };
  }
}
