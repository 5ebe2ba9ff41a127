import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AllowUnverified, Public } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.js';
import { Origin, type RequestOrigin } from '../../common/http/request-origin.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.guard.js';
import { RequireRecentAuth } from '../auth/index.js';
import { AccountDeletionService } from './account-deletion.service.js';
import {
  DeleteAccountDto,
  ForgotPasswordDto,
  MailAcceptedResponse,
  ResetPasswordDto,
  VerifyEmailDto,
} from './dto/account-requests.dto.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetService } from './password-reset.service.js';

const FORGOT_ANSWER =
  'If an account exists for this address, a password reset link has been sent to it.';

/** Email verification, password reset and account deletion (beyond RealWorld). */
@ApiTags('Account lifecycle')
@Controller()
export class AccountsController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly passwordReset: PasswordResetService,
    private readonly deletion: AccountDeletionService,
  ) {}

  @Post('auth/email/verify')
  @HttpCode(204)
  @Public()
  @RateLimit('auth')
  @ApiOperation({
    summary: 'Confirm an email address with the token of the mailed link (single use)',
    description:
      'Redeems a verification link (the account becomes verified) or an email change link (the ' +
      'account switches to the new address, which is then verified).',
  })
  @ApiNoContentResponse({ description: 'The address is verified' })
  @ApiUnprocessableEntityResponse({
    description: 'The token is invalid, expired or already used',
    type: ErrorEnvelope,
  })
  @ApiConflictResponse({
    description: 'Email change: the new address was taken in the meantime',
    type: ErrorEnvelope,
  })
  async verify(@Body() body: VerifyEmailDto, @Origin() origin: RequestOrigin): Promise<void> {
    await this.verification.verify(body.token, origin);
  }

  @Post('auth/email/resend')
  @HttpCode(202)
  @RateLimit('auth')
  @AllowUnverified()
  @ApiOperation({ summary: 'Mail a new verification link to the current address (one a minute)' })
  @ApiAcceptedResponse({ type: MailAcceptedResponse })
  @ApiConflictResponse({ description: 'The email is already verified', type: ErrorEnvelope })
  @ApiTooManyRequestsResponse({
    description: 'A link was sent less than a minute ago',
    type: ErrorEnvelope,
  })
  async resend(
    @CurrentUser() caller: AuthenticatedUser,
    @Origin() origin: RequestOrigin,
  ): Promise<MailAcceptedResponse> {
    await this.verification.resend(caller, origin);
    return { message: 'A new verification link has been sent.' };
  }

  @Post('auth/password/forgot')
  @HttpCode(202)
  @Public()
  @RateLimit('auth')
  @ApiOperation({
    summary: 'Mail a password reset link (same answer whether or not the account exists)',
  })
  @ApiAcceptedResponse({ type: MailAcceptedResponse })
  async forgot(
    @Body() body: ForgotPasswordDto,
    @Origin() origin: RequestOrigin,
  ): Promise<MailAcceptedResponse> {
    await this.passwordReset.forgot(body.email, origin);
    return { message: FORGOT_ANSWER };
  }

  @Post('auth/password/reset')
  @HttpCode(204)
  @Public()
  @RateLimit('auth')
  @ApiOperation({
    summary: 'Set a new password with the token of the mailed link; ends every session',
  })
  @ApiNoContentResponse({ description: 'Password changed; log in again' })
  @ApiUnprocessableEntityResponse({
    description: 'The token is invalid, expired or already used, or the password is too short',
    type: ErrorEnvelope,
  })
  async reset(@Body() body: ResetPasswordDto, @Origin() origin: RequestOrigin): Promise<void> {
    await this.passwordReset.reset(body.token, body.password, origin);
  }

  @Delete('user')
  @HttpCode(204)
  @RateLimit('auth')
  @AllowUnverified()
  @RequireRecentAuth()
  @ApiOperation({
    summary: 'Delete your account and its data (articles, comments, favorites, follows)',
    description:
      'Needs recent authentication: `currentPassword` in the body, or an access token from a ' +
      'login less than RECENT_AUTH_MAX_AGE_SECONDS old. Every session ends; this cannot be undone.',
  })
  @ApiNoContentResponse({ description: 'The account is gone' })
  async deleteAccount(
    @CurrentUser() caller: AuthenticatedUser,
    // Validated (unknown fields → 422); the guard has already checked `currentPassword`.
    @Body() _body: DeleteAccountDto,
  ): Promise<void> {
    await this.deletion.delete(caller);
  }
}
