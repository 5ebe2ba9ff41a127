import { QueryFailedError } from 'typeorm';

/**
 * What of an error goes into the log. A failed query keeps its SQL and driver code but drops
 * its bound parameters: they can hold password hashes, token hashes or personal data.
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driverError = error.driverError as { code?: unknown } | undefined;
  return {
    type: 'QueryFailedError',
    message: error.message,
    code: driverError?.code,
    query: error.query,
    stack: error.stack,
  };
}
