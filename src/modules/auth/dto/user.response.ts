import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AccountFields } from '../../users/index.js';

/** The RealWorld `user` object, plus `refreshToken` when a session was just started or rotated. */
export class UserView {
  @ApiProperty({ example: 'jake@jake.jake' }) email: string;
  @ApiProperty({ description: 'Access token (JWT)' }) token: string;
  @ApiProperty({ example: 'jake' }) username: string;
  @ApiProperty({ type: String, nullable: true }) bio: string | null;
  @ApiProperty({ type: String, nullable: true }) image: string | null;
  @ApiProperty({
    description: 'Whether the email has been confirmed (POST /api/auth/email/verify)',
    example: false,
  })
  emailVerified: boolean;
  @ApiPropertyOptional({
    description: 'Single-use refresh token (login, register and refresh only)',
  })
  refreshToken?: string;
}

export class UserResponse {
  @ApiProperty({ type: UserView }) user: UserView;

  static of(user: AccountFields, token: string, refreshToken?: string): UserResponse {
    const view: UserView = {
      email: user.email,
      token,
      username: user.username,
      bio: user.bio,
      image: user.image,
      emailVerified: user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined,
    };
    if (refreshToken !== undefined) view.refreshToken = refreshToken;
    return { user: view };
  }
}
