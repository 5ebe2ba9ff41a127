import { EventEmitter } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import Fastify from 'fastify';
import { exitGracefullyOnSignals, HttpDrain } from './graceful-shutdown.js';

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

  it('begins the drain at the signal and closes the app only once it has settled', async () => {
    let settle = () => undefined as void;
    const drain = {
      begin: jest.fn(),
      settle: jest.fn(() => new Promise<void>((resolve) => (settle = resolve))),
    };
    const close = jest.fn(() => Promise.resolve());
    exitGracefullyOnSignals(
      { close },
      { timeoutMs: 5000, logger, exit, emitter: emitter as unknown as NodeJS.Process, drain },
    );
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(drain.begin).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(close).not.toHaveBeenCalled();
    settle();
    await jest.advanceTimersByTimeAsync(0);
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('removes its listeners when disposed', () => {
    const dispose = install(() => Promise.resolve());
    expect(emitter.listenerCount('SIGTERM')).toBe(1);
    dispose();
    expect(emitter.listenerCount('SIGTERM')).toBe(0);
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });
});

describe('HttpDrain', () => {
  /** A raw HTTP/1.1 client on one kept-alive connection. */
  async function rawConnection(port: number) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const responses = async (count: number) => {
      while ((received.match(/HTTP\/1\.1 /g) ?? []).length < count && !socket.destroyed)
        await new Promise((resolve) => setTimeout(resolve, 5));
      return received;
    };
    return { socket, closed, responses, received: () => received };
  }

  async function startServer() {
    const fastify = Fastify({ logger: false, return503OnClosing: false });
    const drain = HttpDrain.install(fastify);
    let calls = 0;
    fastify.get('/work', async () => {
      calls += 1;
      return { done: true };
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = fastify.server.address() as AddressInfo;
    return { fastify, drain, port, calls: () => calls };
  }

  it('is found again from its Fastify instance', async () => {
    const { fastify, drain } = await startServer();
    expect(HttpDrain.of(fastify)).toBe(drain);
    await fastify.close();
  });

  it('answers a request that arrives during the drain with the 503 envelope, unprocessed', async () => {
    const fastify = Fastify({ logger: false, return503OnClosing: false });
    HttpDrain.install(fastify);
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
    const client = await rawConnection(port);
    client.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    const closed = fastify.close();
    await closingBegan;
    client.socket.write('\r\n');
    await client.closed;
    await closed;

    const received = client.received();
    expect(received).toMatch(/^HTTP\/1\.1 503/);
    expect(received).toContain('"code":"SERVICE_UNAVAILABLE"');
    expect(received).toContain('"status":503');
    expect(received.toLowerCase()).toContain('connection: close');
    expect(received.toLowerCase()).toContain('retry-after: 1');
    expect(calls).toBe(0);
  });

  it('from begin(): a kept-alive connection reused later gets a 503 with Connection: close, not a reset', async () => {
    const { fastify, drain, port, calls } = await startServer();
    const client = await rawConnection(port);
    client.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await client.responses(1)).toLowerCase()).toContain('connection: keep-alive');

    drain.begin();
    const settled = drain.settle(2000);
    // The connection was idle at the signal; its client uses it again a little later.
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.closed;
    await settled;
    const second = client.received().slice(client.received().lastIndexOf('HTTP/1.1 '));
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    expect(second.toLowerCase()).toContain('connection: close');
    expect(calls()).toBe(1);
    await fastify.close();
  });

  it('from begin(): a response to a request already in progress carries Connection: close', async () => {
    const fastify = Fastify({ logger: false, return503OnClosing: false });
    const drain = HttpDrain.install(fastify);
    let release = () => undefined as void;
    fastify.get('/slow', () => new Promise((resolve) => (release = () => resolve({ ok: 1 }))));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const client = await rawConnection((fastify.server.address() as AddressInfo).port);
    client.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    drain.begin();
    release();
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(client.received().toLowerCase()).toContain('connection: close');
    await fastify.close();
  });

  it('closes a connection that stays idle for the grace period, and only then settles', async () => {
    const { fastify, drain, port } = await startServer();
    const client = await rawConnection(port);
    client.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.responses(1);
    const began = Date.now();
    drain.begin();
    await drain.settle(300);
    await client.closed;
    expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    await fastify.close();
  });
});
