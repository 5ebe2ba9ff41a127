import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { CurrentPasswordField } from '../../auth/index.js';
import { EmailField, PasswordField } from '../../users/index.js';

const TokenField = () =>
  applyDecorators(
    ApiProperty({
      description: 'The token from the mailed link (`?token=…`)',
      example: 'nD3Qe2kq4Wm9tX0yF1sLr8aZ6cVbU7hJ5gK2pE4oI3w',
    }),
    IsString(),
    Length(16, 256),
  );

/** `POST /api/auth/email/verify` body. */
export class VerifyEmailDto {
  @TokenField() token: string;
}

/** `POST /api/auth/password/forgot` body. */
export class ForgotPasswordDto {
  @EmailField() email: string;
}

/** `POST /api/auth/password/reset` body. */
export class ResetPasswordDto {
  @TokenField() token: string;
  @PasswordField() password: string;
}

/** `DELETE /api/user` body: the current password, unless the last login is recent. */
export class DeleteAccountDto {
  @CurrentPasswordField() currentPassword?: string;
}

/** The answer to requests that send mail, the same whatever the outcome. */
export class MailAcceptedResponse {
  @ApiProperty({
    example: 'If an account exists for this address, a link has been sent to it.',
  })
  message: string;
}
