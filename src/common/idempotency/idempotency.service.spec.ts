import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../config/app.config.js';
import type { TransactionRunner } from '../../database/transaction-runner.js';
import { IdempotencyService } from './idempotency.service.js';

const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40) });
const service = new IdempotencyService(config, null, {} as TransactionRunner);

describe('IdempotencyService', () => {
  it('fingerprints equal bodies alike, whatever the order of their keys', () => {
    expect(service.fingerprint('POST', '/api/articles', { a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      service.fingerprint('POST', '/api/articles', { b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
  });

  it('fingerprints a different body, URL or method differently', () => {
    const base = service.fingerprint('POST', '/api/articles', { a: 1 });
    expect(service.fingerprint('POST', '/api/articles', { a: 2 })).not.toBe(base);
    expect(service.fingerprint('POST', '/api/articles/x/comments', { a: 1 })).not.toBe(base);
    expect(service.fingerprint('PUT', '/api/articles', { a: 1 })).not.toBe(base);
  });

  it('keys the same client key apart per scope', () => {
    expect(service.storageKey('user:1', 'k')).not.toBe(service.storageKey('user:2', 'k'));
    expect(service.storageKey('user:1', 'k')).toMatch(/^[0-9a-f]{64}$/);
  });
});
