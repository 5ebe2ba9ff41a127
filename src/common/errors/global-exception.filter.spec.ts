import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { ConflictError, RateLimitedError } from './domain-errors.js';
import { GlobalExceptionFilter } from './global-exception.filter.js';

/** Records what the filter sends, like a Fastify reply would. */
class FakeReply {
  sent = false;
  statusCode = 200;
  headersSent: Record<string, string> = {};
  payload: unknown;
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  header(name: string, value: string) {
    this.headersSent[name] = value;
    return this;
  }
  headers(values: Record<string, string>) {
    Object.assign(this.headersSent, values);
    return this;
  }
  send(payload: unknown) {
    this.payload = payload;
    this.sent = true;
    return this;
  }
}

const request = { id: 'req-1', method: 'POST', url: '/api/users' };

describe('GlobalExceptionFilter', () => {
  const filter = new GlobalExceptionFilter();
  let reply: FakeReply;
  let logged: { error: unknown[][]; warn: unknown[][] };

  const handle = (exception: unknown) => {
    const host = new ExecutionContextHost([request, reply]) as ArgumentsHost;
    filter.catch(exception, host);
  };

  beforeEach(() => {
    reply = new FakeReply();
    logged = { error: [], warn: [] };
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => {
      logged.error.push(args);
    });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((...args: unknown[]) => {
      logged.warn.push(args);
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('sends the envelope with the request id for a domain error', () => {
    handle(new ConflictError('username'));
    expect(reply.statusCode).toBe(409);
    expect(reply.headersSent['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.payload).toEqual({
      errors: { username: ['has already been taken'] },
      code: 'CONFLICT',
      status: 409,
      requestId: 'req-1',
    });
    expect(logged.error).toHaveLength(0);
  });

  it('sets X-Request-Id itself, for errors raised before the request hooks ran', () => {
    handle(new ConflictError('email'));
    expect(reply.headersSent['x-request-id']).toBe('req-1');
  });

  it('sets the headers the classification asks for', () => {
    handle(new RateLimitedError(30));
    expect(reply.statusCode).toBe(429);
    expect(reply.headersSent['retry-after']).toBe('30');
  });

  it('answers an unexpected error with a generic 500 that leaks nothing', () => {
    const error = new Error('SELECT password_hash FROM users failed at /srv/app/users.ts:12');
    handle(error);
    expect(reply.statusCode).toBe(500);
    expect(reply.payload).toEqual({
      errors: { body: ['an unexpected error occurred; quote the request id when reporting it'] },
      code: 'INTERNAL_ERROR',
      status: 500,
      requestId: 'req-1',
    });
    expect(JSON.stringify(reply.payload)).not.toMatch(/password|SELECT|users\.ts/);
  });

  it('logs an unexpected error once, with the error and the request id', () => {
    const error = new Error('boom');
    handle(error);
    expect(logged.error).toHaveLength(1);
    expect(logged.error[0][0]).toMatchObject({
      err: error,
      requestId: 'req-1',
      method: 'POST',
      url: '/api/users',
    });
  });

  it('logs a dependency outage as a warning, not an error', () => {
    handle(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    expect(reply.statusCode).toBe(503);
    expect(logged.warn).toHaveLength(1);
    expect(logged.error).toHaveLength(0);
  });

  it('does not send twice when the reply is already on its way', () => {
    reply.sent = true;
    handle(new Error('late failure'));
    expect(reply.payload).toBeUndefined();
    expect(logged.error).toHaveLength(1);
  });
});
