import { Controller, Delete, Get, HttpCode, Param, ParseIntPipe } from '@nestjs/common';
import { ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { OwnedBy } from '../../common/auth/ownership.guard.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.js';
import { IdentityListResponse, IdentityView } from './dto/identity.response.js';
import { IdentitiesService } from './identities.service.js';
import { IdentityOwnershipPolicy } from './identity-ownership.policy.js';

/** The caller's linked single-sign-on identities. */
@ApiTags('Single sign-on (OpenID Connect)')
@Controller('user/identities')
export class IdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  @Get()
  @ApiOperation({ summary: 'List the provider accounts linked to the current user' })
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<IdentityListResponse> {
    const identities = await this.identities.list(caller.id);
    return { identities: identities.map((identity) => IdentityView.from(identity)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @OwnedBy(IdentityOwnershipPolicy)
  @ApiOperation({ summary: 'Unlink a provider account (403 for identities of other users)' })
  @ApiConflictResponse({
    description: 'It is the last way in (no password and no other identity)',
    type: ErrorEnvelope,
  })
  async unlink(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<void> {
    await this.identities.unlink(caller.id, id);
  }
}
