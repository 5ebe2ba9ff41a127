import { ErrorCode } from './error-codes.js';

/** Messages keyed by field; `body` holds messages that belong to no single field. */
export type FieldErrors = Record<string, string[]>;

/**
 * Base of the errors services throw. They describe what went wrong in domain terms; the global
 * exception filter alone decides how they look on the wire.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: ErrorCode;

  /** Errors keyed by field, or under `body` when the error concerns the request as a whole. */
  get fields(): FieldErrors {
    return { body: [this.message] };
  }
}

/** 404: the named resource does not exist (or is hidden from the caller). */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = ErrorCode.NotFound;
  constructor(resource: string, key?: string | number) {
    super(key === undefined ? `${resource} not found` : `${resource} "${key}" not found`);
  }
}

/** 409: the change collides with existing data (e.g. a unique field already taken). */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = ErrorCode.Conflict;
  constructor(
    readonly field: string,
    readonly reason = 'has already been taken',
  ) {
    super(`${field} ${reason}`);
  }
  override get fields(): FieldErrors {
    return { [this.field]: [this.reason] };
  }
}

/** 403: the caller is authenticated but may not do this. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = ErrorCode.Forbidden;
  constructor(message = 'you are not allowed to perform this action') {
    super(message);
  }
}

/** 403: the account was disabled by an administrator (login refused, sessions ended). */
export class AccountDisabledError extends DomainError {
  readonly status = 403;
  readonly code = ErrorCode.AccountDisabled;
  constructor() {
    super('this account has been disabled');
  }
}

/** 403: REQUIRE_VERIFIED_EMAIL is on and the caller has not verified their email yet. */
export class EmailNotVerifiedError extends DomainError {
  readonly status = 403;
  readonly code = ErrorCode.EmailNotVerified;
  constructor() {
    super('verify your email address first (POST /api/auth/email/resend sends a new link)');
  }
}

/**
 * 403: a sensitive change needs recent authentication: the current password in the request
 * (`currentPassword`), or an access token from a login at most a few minutes old. Not a 401:
 * the token is valid, and clients treat 401 as "log out".
 */
export class ReauthenticationRequiredError extends DomainError {
  readonly status = 403;
  readonly code = ErrorCode.ReauthenticationRequired;
  constructor(readonly reason: string) {
    super(`currentPassword ${reason}`);
  }
  override get fields(): FieldErrors {
    return { currentPassword: [this.reason] };
  }
}

/** 401: missing, invalid or revoked credentials. */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = ErrorCode.Unauthorized;
  constructor(message = 'authentication required') {
    super(message);
  }
}

/** 422: the request is well-formed but its content is invalid. */
export class ValidationError extends DomainError {
  readonly status = 422;
  readonly code = ErrorCode.ValidationFailed;
  constructor(private readonly fieldErrors: FieldErrors) {
    super(
      Object.entries(fieldErrors)
        .map(([field, messages]) => `${field} ${messages.join(', ')}`)
        .join('; '),
    );
  }
  override get fields(): FieldErrors {
    return this.fieldErrors;
  }

  /** Shorthand for a single invalid field. */
  static of(field: string, message: string): ValidationError {
    return new ValidationError({ [field]: [message] });
  }
}

/** 429: too many requests in the current window. */
export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = ErrorCode.RateLimited;
  constructor(readonly retryAfterSeconds: number) {
    super(`too many requests, retry in ${retryAfterSeconds} seconds`);
  }
}

/** 503: this instance cannot serve the request now (e.g. it is shutting down); retry shortly. */
export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = ErrorCode.ServiceUnavailable;
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}
