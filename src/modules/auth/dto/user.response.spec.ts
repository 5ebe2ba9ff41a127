import { describe, expect, it } from '@jest/globals';
import type { User } from '../../users/index.js';
import { UserResponse } from './user.response.js';

const entity = {
  id: 7,
  email: 'jake@example.com',
  username: 'jake',
  passwordHash: '$argon2id$secret',
  bio: null,
  image: 'https://example.com/jake.png',
  role: 'admin',
  emailVerifiedAt: null,
  disabledAt: null,
  createdAt: new Date(),
  updatedAt: new Date(),
} as User;

describe('UserResponse.of', () => {
  it('exposes exactly the RealWorld user fields, plus emailVerified', () => {
    expect(UserResponse.of(entity, 'access')).toEqual({
      user: {
        email: 'jake@example.com',
        token: 'access',
        username: 'jake',
        bio: null,
        image: 'https://example.com/jake.png',
        emailVerified: false,
      },
    });
  });

  it('adds the refresh token only when one is given', () => {
    expect(UserResponse.of(entity, 'access', 'refresh').user.refreshToken).toBe('refresh');
    expect('refreshToken' in UserResponse.of(entity, 'access').user).toBe(false);
  });
});
