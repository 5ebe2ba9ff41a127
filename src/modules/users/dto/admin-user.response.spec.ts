import { describe, expect, it } from '@jest/globals';
import type { User } from '../entities/user.entity.js';
import { AdminUserView } from './admin-user.response.js';

describe('AdminUserView.from', () => {
  it('exposes the account with its role and timestamps but never the password hash', () => {
    const createdAt = new Date('2030-01-01T00:00:00.000Z');
    const view = AdminUserView.from({
      id: 7,
      email: 'jake@example.com',
      username: 'jake',
      passwordHash: '$argon2id$secret',
      bio: 'bio',
      image: null,
      role: 'user',
      emailVerifiedAt: createdAt,
      disabledAt: null,
      createdAt,
      updatedAt: createdAt,
    } as User);
    expect(view).toEqual({
      id: 7,
      email: 'jake@example.com',
      username: 'jake',
      bio: 'bio',
      image: null,
      role: 'user',
      emailVerified: true,
      disabled: false,
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
  });
});
