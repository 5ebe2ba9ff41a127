import { CurrentPasswordField } from './current-password-field.js';
import { ReadOnlyEcho } from '../../../common/validation/read-only-echo.decorator.js';
import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import {
  BioField,
  EmailField,
  ImageField,
  PasswordField,
  UsernameField,
} from '../../users/index.js';

export class UpdateUserFields {
  @EmailField(false) email?: string;
  @UsernameField(false) username?: string;
  @PasswordField(false) password?: string;
  @BioField() bio?: string | null;
  @ImageField() image?: string | null;
  /** Proof of ownership for an email or password change (see RecentAuthService). */
  @CurrentPasswordField() currentPassword?: string;
  /** Sent back by clients that post the user object they received: ignored. */
  @ReadOnlyEcho() token?: unknown;
  @ReadOnlyEcho() refreshToken?: unknown;
  @ReadOnlyEcho() emailVerified?: unknown;
}

/**
 * `PUT /api/user` body: any subset of the fields; an empty `password` leaves it unchanged, and
 * `token`/`refreshToken` echoed from a response are ignored. `role` cannot be set (422). A new
 * `email` takes effect once confirmed from the new address (see docs/accounts.md).
 */
export class UpdateUserDto {
  @WrappedBody(() => UpdateUserFields)
  user: UpdateUserFields;
}
