import { describe, expect, it } from '@jest/globals';
import { leavesConnectionUnusable } from './self-discarding-pg-client.js';

describe('leavesConnectionUnusable', () => {
  it('discards a connection whose query hit the client-side timeout', () => {
    expect(leavesConnectionUnusable(new Error('Query read timeout'), 'INSERT INTO "tags"')).toBe(
      true,
    );
  });

  it('discards a connection whose statement hit the server-side statement_timeout', () => {
    const canceled = Object.assign(new Error('canceling statement'), { code: '57014' });
    expect(leavesConnectionUnusable(canceled, 'SELECT 1')).toBe(true);
  });

  it('discards a connection whose ROLLBACK failed, whatever the reason', () => {
    expect(leavesConnectionUnusable(new Error('anything'), 'ROLLBACK')).toBe(true);
  });

  it('keeps a connection after an ordinary statement error (e.g. a unique violation)', () => {
    const duplicate = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(leavesConnectionUnusable(duplicate, 'INSERT INTO "users"')).toBe(false);
  });
});
