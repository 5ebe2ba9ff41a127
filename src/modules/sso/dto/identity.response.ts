import { ApiProperty } from '@nestjs/swagger';
import type { UserIdentity } from '../entities/user-identity.entity.js';

/** A provider account linked to the caller. */
export class IdentityView {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'corp', description: 'Configured provider id' }) provider: string;
  @ApiProperty({ example: 'https://id.example.com/realms/corp' }) issuer: string;
  @ApiProperty({ description: 'Subject identifier at the provider' }) subject: string;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) lastLoginAt: string | null;

  static from(identity: UserIdentity): IdentityView {
    return {
      id: identity.id,
      provider: identity.providerId,
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
      createdAt: identity.createdAt.toISOString(),
      lastLoginAt: identity.lastLoginAt?.toISOString() ?? null,
    };
  }
}

export class IdentityListResponse {
  @ApiProperty({ type: [IdentityView] }) identities: IdentityView[];
}
