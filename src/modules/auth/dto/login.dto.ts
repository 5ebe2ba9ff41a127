import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import { EmailField } from '../../users/index.js';

export class LoginUserFields {
  /** Trimmed like at registration, so a pasted address with a stray space still logs in. */
  @EmailField() email: string;

  @ApiProperty({ example: 'jakejake' })
  @IsString()
  @MinLength(1, { message: "can't be blank" })
  @MaxLength(256)
  password: string;
}

/** `POST /api/users/login` body. */
export class LoginDto {
  @WrappedBody(() => LoginUserFields)
  user: LoginUserFields;
}
