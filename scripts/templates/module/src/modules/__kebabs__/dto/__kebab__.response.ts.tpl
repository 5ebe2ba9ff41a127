import { ApiProperty } from '@nestjs/swagger';
import type { {{Entity}} } from '../entities/{{kebab}}.entity.js';

/** A {{label}} as its owner sees it. New entity columns appear here only when added on purpose. */
export class {{Entity}}View {
  @ApiProperty({ type: 'integer', example: 1 }) id: number;
  @ApiProperty({ example: 'Read later' }) title: string;
  @ApiProperty({ type: String, nullable: true, example: 'Why this is worth keeping' })
  body: string | null;
  @ApiProperty({ example: '2030-01-01T00:00:00.000Z' }) createdAt: string;
  @ApiProperty({ example: '2030-01-01T00:00:00.000Z' }) updatedAt: string;

  static from(entity: {{Entity}}): {{Entity}}View {
    return {
      id: entity.id,
      title: entity.title,
      body: entity.body,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}

/** One {{label}}: `{ "{{entity}}": {…} }`. */
export class {{Entity}}Response {
  @ApiProperty({ type: {{Entity}}View }) {{entity}}: {{Entity}}View;
}

/** One page of {{labels}} with the total and the next page's cursor. */
export class {{Entity}}ListResponse {
  @ApiProperty({ type: [{{Entity}}View] }) {{entities}}: {{Entity}}View[];
  @ApiProperty({ type: 'integer', description: 'Total {{labels}} matching the filters' })
  {{entities}}Count: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` to get the next page; null on the last page',
  })
  nextCursor: string | null;
}
