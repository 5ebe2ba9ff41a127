import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/auth.decorators.js';
import { TagsService } from './tags.service.js';

export class TagsResponse {
  @ApiProperty({ type: [String], example: ['dragons', 'training'] }) tags: string[];
}

@ApiTags('Tags')
@Controller('tags')
export class TagsController {
  constructor(private readonly tagsService: TagsService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Tags in use, most popular first',
    description: 'At most TAGS_LIST_LIMIT (default 100) tags: the most used ones',
  })
  async list(): Promise<TagsResponse> {
    return { tags: await this.tagsService.listInUse() };
  }
}
