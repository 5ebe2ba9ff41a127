import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import { EmailField, PasswordField, UsernameField } from '../../users/index.js';

export class RegisterUserFields {
  @UsernameField() username: string;
  @EmailField() email: string;
  @PasswordField() password: string;
}

/** `POST /api/users` body. `role`, `id` or any other property is rejected with 422. */
export class RegisterDto {
  @WrappedBody(() => RegisterUserFields)
  user: RegisterUserFields;
}
