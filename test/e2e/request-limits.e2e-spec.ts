import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TIMEOUT_MS = 1000;
const MAX_CONNECTIONS = 4;

/** What came back on a raw connection, and when it closed. */
interface RawExchange {
  status: number | undefined;
  body: any;
  closedAfterMs: number;
}

/** Opens a raw TCP connection to the app (from `localAddress`, 127.0.0.1 by default). */
function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `data` (and nothing more: the client then stalls) and waits for the server's answer. */
function stallAfter(socket: Socket, data: string): Promise<RawExchange> {
  const started = Date.now();
  let received = '';
  return new Promise((resolve) => {
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => {
      const [head, ...rest] = received.split('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      let body: unknown;
      try {
        body = JSON.parse(rest.join('\r\n\r\n'));
      } catch {
        body = rest.join('\r\n\r\n');
      }
      resolve({
        status: status === undefined ? undefined : Number(status),
        body,
        closedAfterMs: Date.now() - started,
      });
    });
    if (data) socket.write(data);
  });
}

/**
 * Issue 14 item 4: a client that starts a request and stalls (headers or body, Content-Length
 * or chunked) is answered 408 in the envelope within REQUEST_TIMEOUT_MS (plus Node's check
 * interval) and disconnected; one address cannot hold more than MAX_CONNECTIONS_PER_ADDRESS
 * connections, while other addresses are still served.
 */
describe('request timeouts and connections per address', () => {
  let testApp: TestApp;
  let port: number;

  beforeAll(async () => {
    testApp = await startTestApp({
      REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
      MAX_CONNECTIONS_PER_ADDRESS: String(MAX_CONNECTIONS),
    });
    port = Number(new URL(testApp.baseUrl).port);
  });
  afterAll(() => testApp.close());

  const expect408 = (exchange: RawExchange) => {
    expect(exchange.status).toBe(408);
    expect(exchange.body).toMatchObject({
      code: 'REQUEST_TIMEOUT',
      status: 408,
      errors: { body: ['the request took too long to arrive'] },
    });
    // Not before the bound; well within it plus the 250 ms check interval, with room for load.
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(exchange.closedAfterMs).toBeLessThan(TIMEOUT_MS + 4000);
  };

  it('answers 408 to a body that stops short of its Content-Length', async () => {
    const socket = await open(port);
    expect408(
      await stallAfter(
        socket,
        'POST /api/users/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100\r\n\r\n{"user":',
      ),
    );
  });

  it('answers 408 to a chunked body that never ends', async () => {
    const socket = await open(port);
    expect408(
      await stallAfter(
        socket,
        'POST /api/users/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n5\r\n{"use\r\n',
      ),
    );
  });

  it('answers 408 to headers that never end (slowloris)', async () => {
    const socket = await open(port);
    expect408(await stallAfter(socket, 'GET /api/tags HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n'));
  });

  it('caps the connections of one address with 429 and keeps serving other addresses', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => open(port)));
    try {
      // The accept loop sees each connection after the client does: let it count them.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await stallAfter(await open(port), '');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });

      // Another client address (Linux routes all of 127/8 to loopback) is served meanwhile.
      const other = await open(port, '127.0.0.2');
      const served = await stallAfter(
        other,
        'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expect(served.status).toBe(200);
    } finally {
      for (const socket of held) socket.destroy();
    }
    // Closed connections no longer count.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await stallAfter(
      await open(port),
      'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(again.status).toBe(200);
  });

  it('still serves a complete request normally', async () => {
    const response = await fetch(`${testApp.baseUrl}/api/tags`);
    expect(response.status).toBe(200);
  });
});
