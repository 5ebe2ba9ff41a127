import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../../common/auth/role.js';
import type { User } from '../entities/user.entity.js';

/** A user as administrators see it: never a password or token hash. */
export class AdminUserView {
  @ApiProperty() id: number;
  @ApiProperty() email: string;
  @ApiProperty() username: string;
  @ApiProperty({ type: String, nullable: true }) bio: string | null;
  @ApiProperty({ type: String, nullable: true }) image: string | null;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ description: 'The email has been confirmed through a mailed link' })
  emailVerified: boolean;
  @ApiProperty({ description: 'Disabled by an administrator: cannot log in' })
  disabled: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(user: User): AdminUserView {
    return {
      id: user.id,
      email: user.email,
      username: user.username,
      bio: user.bio,
      image: user.image,
      role: user.role,
      emailVerified: user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined,
      disabled: user.disabledAt !== null && user.disabledAt !== undefined,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}

export class UserListResponse {
  @ApiProperty({ type: [AdminUserView] }) users: AdminUserView[];
  @ApiProperty({ description: 'Total users matching the filters (offset mode)' })
  usersCount: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}
