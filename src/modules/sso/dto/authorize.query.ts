import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `GET /api/auth/oidc/:provider/authorize` query. */
export class AuthorizeQuery {
  @ApiProperty({
    description: 'Where the one-time code goes after the login; must be on OIDC_REDIRECT_URIS',
    example: 'https://app.example.com/sso/done',
  })
  @IsString()
  @MaxLength(2048)
  redirect_uri: string;

  @ApiPropertyOptional({
    description: 'From POST /api/auth/oidc/:provider/link: links the identity to that account',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  link_token?: string;
}
