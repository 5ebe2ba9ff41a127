import { DomainError } from '../../common/errors/domain-errors.js';
import { ErrorCode } from '../../common/errors/error-codes.js';

/** 400: the callback cannot belong to a login this browser started (state, cookie, params). */
export class LoginStateError extends DomainError {
  readonly status = 400;
  readonly code = ErrorCode.BadRequest;
}
