import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { loggableError } from './loggable-error.js';

describe('loggableError', () => {
  it('keeps the SQL and driver code of a failed query but drops its parameters', () => {
    const driverError = Object.assign(new Error('UNIQUE constraint failed: users.email'), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    const error = new QueryFailedError(
      'INSERT INTO users (email, password_hash) VALUES (?, ?)',
      ['jake@example.com', '$argon2id$v=19$secret-hash'],
      driverError,
    );
    const logged = loggableError(error) as Record<string, unknown>;
    expect(logged).toMatchObject({
      type: 'QueryFailedError',
      code: 'SQLITE_CONSTRAINT_UNIQUE',
      query: 'INSERT INTO users (email, password_hash) VALUES (?, ?)',
    });
    expect(JSON.stringify(logged)).not.toContain('argon2id');
    expect(JSON.stringify(logged)).not.toContain('jake@example.com');
  });

  it('passes other errors through unchanged', () => {
    const error = new Error('boom');
    expect(loggableError(error)).toBe(error);
  });
});
