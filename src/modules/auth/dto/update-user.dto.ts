import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import {
  BioField,
  EmailField,
  ImageField,
  PasswordField,
  UsernameField,
} from '../../users/index.js';

export class UpdateUserFields {
  @ApiPropertyOptional({
    description: 'The current password: required to change the email (re-authentication)',
    example: 'jakejake',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  currentPassword?: string;

  @EmailField(false) email?: string;
  @UsernameField(false) username?: string;
  @PasswordField(false) password?: string;
  @BioField() bio?: string | null;
  @ImageField() image?: string | null;
}

/**
 * `PUT /api/user` body: any subset of the fields. `role` cannot be set (422). A new `email`
 * takes effect once confirmed from the new address (see docs/accounts.md).
 */
export class UpdateUserDto {
  @WrappedBody(() => UpdateUserFields)
  user: UpdateUserFields;
}
