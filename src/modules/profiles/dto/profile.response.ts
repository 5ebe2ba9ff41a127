import { ApiProperty } from '@nestjs/swagger';

/** RealWorld profile: `following` is relative to the caller (false for anonymous callers). */
export class ProfileView {
  @ApiProperty({ example: 'jake' }) username: string;
  @ApiProperty({ type: String, nullable: true, example: 'I work at statefarm' }) bio: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'https://api.realworld.io/images/smiley-cyrus.jpg',
  })
  image: string | null;
  @ApiProperty({ example: false }) following: boolean;

  static of(
    user: { username: string; bio: string | null; image: string | null },
    following: boolean,
  ): ProfileView {
    return { username: user.username, bio: user.bio, image: user.image, following };
  }
}

export class ProfileResponse {
  @ApiProperty({ type: ProfileView }) profile: ProfileView;
}
