import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { CurrentPasswordField } from '../../auth/index.js';

/** `POST /api/auth/oidc/exchange` body. */
export class ExchangeDto {
  @ApiProperty({ description: 'The one-time `code` the callback appended to your redirect_uri' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  code: string;
}

/** `POST /api/auth/oidc/:provider/link` body. */
export class LinkDto {
  @ApiProperty({ example: 'https://app.example.com/sso/done' })
  @IsString()
  @MaxLength(2048)
  redirectUri: string;

  @CurrentPasswordField()
  currentPassword?: string;
}

export class LinkResponse {
  @ApiProperty({ description: 'Open this URL in the browser to link the provider' })
  authorizationUrl: string;
  @ApiProperty({ description: 'Seconds the URL stays valid (single use)' }) expiresIn: number;
}
