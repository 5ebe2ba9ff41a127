import {
  type ArgumentMetadata,
  ValidationPipe,
  type ValidationError as ClassValidatorError,
} from '@nestjs/common';
import { type FieldErrors, ValidationError } from '../errors/domain-errors.js';

/**
 * Global validation: unknown properties are rejected (so no body can set `role`, `id` or
 * timestamps), payloads are transformed to DTO instances, and failures become a 422 whose
 * messages are keyed by field.
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictKeysValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationError(flattenValidationErrors(errors)),
  });
}

/**
 * Names an object inherits from Object.prototype (`toString`, `constructor`, `hasOwnProperty`,
 * `__proto__`…) plus `prototype`. class-validator's whitelist looks properties up in a plain
 * object, so these names count as "declared" and slipped through `forbidNonWhitelisted`, and
 * Nest silently deletes `constructor`; they are refused instead, like any unknown property.
 */
const INHERITED_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** The first key of `value` (or of a nested object or array item) named like an inherited property. */
export function findInheritedKey(value: unknown, depth = 0): string | undefined {
  if (!value || typeof value !== 'object' || depth > 64) return undefined;
  for (const key of Object.keys(value)) {
    if (INHERITED_NAMES.has(key)) return key;
    const nested = findInheritedKey((value as Record<string, unknown>)[key], depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** The global pipe, refusing inherited property names in queries and bodies first. */
class StrictKeysValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'body') {
      const key = findInheritedKey(value);
      if (key !== undefined) throw ValidationError.of(key, 'is not allowed');
    }
    return super.transform(value, metadata);
  }
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
