import { ApiProperty } from '@nestjs/swagger';
import type { ErrorCode } from './error-codes.js';
import type { FieldErrors } from './domain-errors.js';

/**
 * The one error shape of the API, compatible with RealWorld (`errors.body`) and extended with
 * a machine-readable code, the HTTP status and the request id for support.
 */
export class ErrorEnvelope {
  @ApiProperty({
    description: 'Messages keyed by field; `body` holds messages about the request as a whole',
    example: { email: ['must be an email'] },
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  errors: FieldErrors;

  @ApiProperty({ description: 'Machine-readable error code', example: 'VALIDATION_FAILED' })
  code: ErrorCode;

  @ApiProperty({ description: 'HTTP status code, repeated for convenience', example: 422 })
  status: number;

  @ApiProperty({
    description: 'Id of the request; quote it when reporting a problem',
    example: 'b3c1…',
  })
  requestId: string;
}

/** Builds an envelope; the only constructor of error bodies in the code base. */
export function buildErrorEnvelope(
  status: number,
  code: ErrorCode,
  errors: FieldErrors,
  requestId: string,
): ErrorEnvelope {
  return { errors, code, status, requestId };
}
