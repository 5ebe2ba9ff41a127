import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { type FieldErrors, ValidationError } from '../errors/domain-errors.js';

/**
 * Global validation: unknown properties are rejected (so no body can set `role`, `id` or
 * timestamps), payloads are transformed to DTO instances, and failures become a 422 whose
 * messages are keyed by field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationError(flattenValidationErrors(errors)),
  });
}

/** Flattens nested class-validator errors into `{ field: ["message"] }` (leaf field names). */
export function flattenValidationErrors(errors: ClassValidatorError[]): FieldErrors {
  const fields: FieldErrors = {};
  const visit = (error: ClassValidatorError) => {
    const constraints = { ...error.constraints };
    // class-validator's generic "nested property … must be either object or array" only
    // repeats what the property's own checks (blank, not an object) already say.
    if (Object.keys(constraints).length > 1) delete constraints.nestedValidation;
    for (const message of Object.values(constraints)) {
      (fields[error.property] ??= []).push(stripPropertyName(message, error.property));
    }
    error.children?.forEach(visit);
  };
  errors.forEach(visit);
  return fields;
}

function stripPropertyName(message: string, property: string): string {
  if (message === `property ${property} should not exist`) return 'is not allowed';
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
