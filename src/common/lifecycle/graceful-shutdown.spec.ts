import { EventEmitter } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import Fastify from 'fastify';
import { exitGracefullyOnSignals, refuseRequestsWhileClosing } from './graceful-shutdown.js';

describe('exitGracefullyOnSignals', () => {
  let emitter: EventEmitter;
  let exit: jest.Mock<(code: number) => void>;
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };

  beforeEach(() => {
    jest.useFakeTimers();
    emitter = new EventEmitter();
    exit = jest.fn<(code: number) => void>();
    logger.log.mockClear();
    logger.warn.mockClear();
    logger.error.mockClear();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const install = (close: () => Promise<void>, timeoutMs = 1000) =>
    exitGracefullyOnSignals(
      { close },
      { timeoutMs, logger, exit, emitter: emitter as unknown as NodeJS.Process },
    );

  it('closes the app on SIGTERM and exits with 0', async () => {
    const close = jest.fn(() => Promise.resolve());
    install(close);
    emitter.emit('SIGTERM', 'SIGTERM');
    await jest.advanceTimersByTimeAsync(0);
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('handles SIGINT the same way', async () => {
    install(() => Promise.resolve());
    emitter.emit('SIGINT', 'SIGINT');
    await jest.advanceTimersByTimeAsync(0);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits with 1 and logs when closing takes longer than the timeout', async () => {
    install(() => new Promise<void>(() => undefined), 500);
    emitter.emit('SIGTERM', 'SIGTERM');
    await jest.advanceTimersByTimeAsync(499);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('500 ms'), 'Shutdown');
  });

  it('exits with 1 when closing fails', async () => {
    install(() => Promise.reject(new Error('pool exploded')));
    emitter.emit('SIGTERM', 'SIGTERM');
    await jest.advanceTimersByTimeAsync(0);
    expect(exit).toHaveBeenCalledWith(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('pool exploded'),
      expect.any(String),
      'Shutdown',
    );
  });

  it('ignores a second signal while closing: one close, still exit 0 when it ends', async () => {
    let finish = () => undefined as void;
    const close = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    install(close);
    emitter.emit('SIGINT', 'SIGINT');
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();
    finish();
    await jest.advanceTimersByTimeAsync(0);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('closes idle connections while closing when given the HTTP server', async () => {
    const httpServer = { closeIdleConnections: jest.fn() };
    let finish = () => undefined as void;
    exitGracefullyOnSignals(
      { close: () => new Promise<void>((resolve) => (finish = resolve)) },
      { timeoutMs: 5000, logger, exit, emitter: emitter as unknown as NodeJS.Process, httpServer },
    );
    emitter.emit('SIGTERM', 'SIGTERM');
    await jest.advanceTimersByTimeAsync(350);
    expect(httpServer.closeIdleConnections.mock.calls.length).toBeGreaterThanOrEqual(3);
    finish();
    await jest.advanceTimersByTimeAsync(0);
    const calls = httpServer.closeIdleConnections.mock.calls.length;
    await jest.advanceTimersByTimeAsync(1000);
    expect(httpServer.closeIdleConnections.mock.calls.length).toBe(calls);
  });

  it('removes its listeners when disposed', () => {
    const dispose = install(() => Promise.resolve());
    expect(emitter.listenerCount('SIGTERM')).toBe(1);
    dispose();
    expect(emitter.listenerCount('SIGTERM')).toBe(0);
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });
});

describe('refuseRequestsWhileClosing', () => {
  it('answers a request that arrives during the drain with the 503 envelope, unprocessed', async () => {
    const fastify = Fastify({ logger: false, return503OnClosing: false });
    refuseRequestsWhileClosing(fastify);
    const closingBegan = new Promise<void>((began) =>
      fastify.addHook('preClose', async () => began()),
    );
    let calls = 0;
    fastify.get('/work', async () => {
      calls += 1;
      return { done: true };
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = fastify.server.address() as AddressInfo;

    // The request's head is sent in two parts: its connection is busy (not idle) when closing
    // begins, and the request itself only arrives afterwards.
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /work HTTP/1.1\r\nHost: x\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    const closed = fastify.close();
    await closingBegan;
    socket.write('\r\n');
    await ended;
    await closed;

    expect(received).toMatch(/^HTTP\/1\.1 503/);
    expect(received).toContain('"code":"SERVICE_UNAVAILABLE"');
    expect(received).toContain('"status":503');
    expect(received.toLowerCase()).toContain('connection: close');
    expect(received.toLowerCase()).toContain('retry-after: 1');
    expect(calls).toBe(0);
  });
});
