import { NotContains } from 'class-validator';

/**
 * Rejects NUL characters. PostgreSQL cannot store them and fails the whole statement on one,
 * while SQLite stores them; checking every text field bound for the database here gives the
 * client the same 422 on both.
 */
export const NoNulCharacters = (options: { each?: boolean } = {}) =>
  NotContains('\u0000', { ...options, message: 'must not contain NUL characters' });
