import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

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
  @ApiProperty({ type: LoginUserFields })
  @IsDefined({ message: "can't be blank" })
  @ValidateNested()
  @Type(() => LoginUserFields)
  user: LoginUserFields;
}
