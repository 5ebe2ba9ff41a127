import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { OwnedBy } from '../../common/auth/ownership.guard.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { Create{{Entity}}Dto } from './dto/create-{{kebab}}.dto.js';
import { List{{Entities}}Query } from './dto/list-{{kebabs}}.query.js';
import {
  {{Entity}}ListResponse,
  {{Entity}}Response,
  {{Entity}}View,
} from './dto/{{kebab}}.response.js';
import { Update{{Entity}}Dto } from './dto/update-{{kebab}}.dto.js';
import { {{Entity}}OwnershipPolicy } from './{{kebab}}-ownership.policy.js';
import { {{Entities}}Service } from './{{kebabs}}.service.js';

/** Owner-only route: the ownership guard plus the 404 and 403 it answers, in Swagger. */
const OwnerOnly = () =>
  applyDecorators(
    OwnedBy({{Entity}}OwnershipPolicy),
    ApiNotFoundResponse({ description: 'No {{label}} with this id', type: ErrorEnvelope }),
    ApiForbiddenResponse({ description: 'The {{label}} belongs to another user', type: ErrorEnvelope }),
  );

/**
 * The caller's {{labels}}. Every route needs a token (the global JWT guard); routes with an
 * `:id` are for the {{label}}'s owner only (`@OwnedBy`).
 */
@ApiTags('{{Tag}}')
@Controller('{{kebabs}}')
export class {{Entities}}Controller {
  constructor(private readonly {{entities}}: {{Entities}}Service) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a {{label}} owned by the caller' })
  async create(
    @Body() body: Create{{Entity}}Dto,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<{{Entity}}Response> {
    const created = await this.{{entities}}.create(caller.id, body.{{entity}});
    return { {{entity}}: {{Entity}}View.from(created) };
  }

  @Get()
  @ApiOperation({ summary: "The caller's {{labels}}, newest first; by offset or cursor" })
  async list(
    @Query() query: List{{Entities}}Query,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<{{Entity}}ListResponse> {
    const page = await this.{{entities}}.list(caller.id, query);
    return {
      {{entities}}: page.items.map((item) => {{Entity}}View.from(item)),
      {{entities}}Count: page.total,
      nextCursor: page.nextCursor,
    };
  }

  @Get(':id')
  @OwnerOnly()
  @ApiOperation({ summary: 'Get one of your {{labels}}' })
  async get(@Param('id') id: string): Promise<{{Entity}}Response> {
    return { {{entity}}: {{Entity}}View.from(await this.{{entities}}.get(Number(id))) };
  }

  @Put(':id')
  @OwnerOnly()
  @ApiOperation({ summary: 'Change one of your {{labels}} (only the fields sent)' })
  async update(
    @Param('id') id: string,
    @Body() body: Update{{Entity}}Dto,
  ): Promise<{{Entity}}Response> {
    const updated = await this.{{entities}}.update(Number(id), body.{{entity}});
    return { {{entity}}: {{Entity}}View.from(updated) };
  }

  @Delete(':id')
  @HttpCode(204)
  @OwnerOnly()
  @ApiOperation({ summary: 'Delete one of your {{labels}}' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.{{entities}}.delete(Number(id));
  }
}
