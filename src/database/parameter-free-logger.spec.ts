import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ParameterFreeLogger } from './parameter-free-logger.js';

/** What the logger prints, through any console method. */
describe('ParameterFreeLogger', () => {
  let printed: string[];
  beforeEach(() => {
    printed = [];
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      });
    }
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const HASH = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA';

  it('logs the SQL of a query without its bound parameters', () => {
    new ParameterFreeLogger(true).logQuery('INSERT INTO users(password_hash) VALUES (?)', [HASH]);
    expect(printed.join('\n')).toContain('INSERT INTO users');
    expect(printed.join('\n')).not.toContain(HASH);
  });

  it('prints plain text, without colour codes, even when CI=true makes colours look supported', () => {
    new ParameterFreeLogger(true).logQuery('SELECT 1 FROM users', []);
    expect(printed.join('\n')).toContain('SELECT 1 FROM users');
    // eslint-disable-next-line no-control-regex
    expect(printed.join('\n')).not.toMatch(/\u001b\[/);
  });

  it('logs a failed or slow query without its bound parameters', () => {
    const logger = new ParameterFreeLogger(true);
    logger.logQueryError(new Error('boom'), 'SELECT 1 WHERE token_hash = ?', ['secret-hash']);
    logger.logQuerySlow(5000, 'SELECT 2 WHERE token_hash = ?', ['secret-hash']);
    expect(printed.join('\n')).toContain('SELECT 1');
    expect(printed.join('\n')).toContain('SELECT 2');
    expect(printed.join('\n')).not.toContain('secret-hash');
  });

  it('stays silent when logging is off', () => {
    new ParameterFreeLogger(false).logQuery('SELECT 1', []);
    expect(printed).toEqual([]);
  });
});
