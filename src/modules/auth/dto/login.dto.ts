import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';

export class LoginUserFields {
  @ApiProperty({ example: 'jake@jake.jake' })
  @IsEmail({}, { message: 'must be an email' })
  @MaxLength(255)
  email: string;

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
