import { describe, expect, it } from '@jest/globals';
import { usernameFrom } from './identities.service.js';

const base = { iss: 'https://id.example.com', sub: 's' };

describe('usernameFrom', () => {
  it('prefers preferred_username, then the email local part, then the name', () => {
    expect(usernameFrom({ ...base, preferred_username: 'jake', email: 'x@y.z' })).toBe('jake');
    expect(usernameFrom({ ...base, email: 'jane.doe@example.com', name: 'Jane' })).toBe('jane.doe');
    expect(usernameFrom({ ...base, name: 'Jane Q. Doe' })).toBe('Jane_Q._Doe');
    expect(usernameFrom(base)).toBe('user');
  });

  it('keeps only characters usernames allow (accents folded, @domain dropped)', () => {
    expect(usernameFrom({ ...base, preferred_username: 'josé@corp.example' })).toBe('jose');
    expect(usernameFrom({ ...base, preferred_username: '<script>', name: 'Ana' })).toBe('script');
    expect(usernameFrom({ ...base, preferred_username: '日本', name: 'Ana' })).toBe('Ana');
    expect(usernameFrom({ ...base, preferred_username: 'a'.repeat(100) })).toHaveLength(48);
  });
});
