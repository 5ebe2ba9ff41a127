import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDefined, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';

export class NewCommentFields {
  @ApiProperty({ example: 'It takes a Jacobian' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1, { message: "can't be blank" })
  @MaxLength(20_000)
  body: string;
}

/** `POST /api/articles/:slug/comments` body. */
export class CreateCommentDto {
  @ApiProperty({ type: NewCommentFields })
  @IsDefined({ message: "can't be blank" })
  @ValidateNested()
  @Type(() => NewCommentFields)
  comment: NewCommentFields;
}
