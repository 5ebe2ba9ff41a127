import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** `POST /api/auth/refresh` body. */
export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from login, register or the previous refresh' })
  @IsString()
  @Length(16, 256)
  refreshToken: string;
}
