import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, ValidateNested } from 'class-validator';
import { EmailField, PasswordField, UsernameField } from '../../users/dto/user-fields.js';

export class RegisterUserFields {
  @UsernameField() username: string;
  @EmailField() email: string;
  @PasswordField() password: string;
}

/** `POST /api/users` body. `role`, `id` or any other property is rejected with 422. */
export class RegisterDto {
  @ApiProperty({ type: RegisterUserFields })
  @IsDefined({ message: "can't be blank" })
  @ValidateNested()
  @Type(() => RegisterUserFields)
  user: RegisterUserFields;
}
