import { ApiProperty } from '@nestjs/swagger';
import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { NoNulCharacters } from '../../../common/validation/no-nul-characters.js';

export class NewCommentFields {
  @ApiProperty({ example: 'It takes a Jacobian' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1, { message: "can't be blank" })
  @MaxLength(20_000)
  @NoNulCharacters()
  body: string;
}

/** `POST /api/articles/:slug/comments` body. */
export class CreateCommentDto {
  @WrappedBody(() => NewCommentFields)
  comment: NewCommentFields;
}
