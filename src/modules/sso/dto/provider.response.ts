import { ApiProperty } from '@nestjs/swagger';
import type { OidcProviderConfig } from '../../../config/oidc.config.js';

/** A provider a login page can offer. */
export class ProviderView {
  @ApiProperty({ example: 'corp' }) id: string;
  @ApiProperty({ example: 'Corporate SSO' }) name: string;
  @ApiProperty({
    example: '/api/auth/oidc/corp/authorize',
    description: 'Navigate the browser here with ?redirect_uri=…',
  })
  authorizeUrl: string;

  static from(provider: OidcProviderConfig): ProviderView {
    return {
      id: provider.id,
      name: provider.displayName,
      authorizeUrl: `/api/auth/oidc/${provider.id}/authorize`,
    };
  }
}

export class ProviderListResponse {
  @ApiProperty({ type: [ProviderView] }) providers: ProviderView[];
}
