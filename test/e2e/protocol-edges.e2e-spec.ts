import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser } from '../support/users.js';

/** Sends raw bytes and returns the status line's code, the headers and the parsed body. */
function raw(port: number, request: string) {
  return new Promise<{ status: number; headers: string; body: any }>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(request));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const [head, body = ''] = received.split('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(head)?.[1];
      if (length !== undefined && Buffer.byteLength(body) >= Number(length)) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = received.split('\r\n\r\n');
      let body: unknown = rest.join('\r\n\r\n');
      try {
        body = JSON.parse(body as string);
      } catch {
        // Not JSON: returned as text.
      }
      resolve({ status: Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1]), headers: head, body });
    });
  });
}

/**
 * Issue 14 info items settled by a fix: protocol-level refusals (missing Host, unsupported
 * Expect) answer in the envelope; /metrics without METRICS_TOKEN is indistinguishable from an
 * unknown route; inherited property names are unknown parameters like any other.
 */
describe('protocol edges and inherited names', () => {
  let testApp: TestApp;
  let api: Api;
  let port: number;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    port = Number(new URL(testApp.baseUrl).port);
  });
  afterAll(() => testApp.close());

  it('answers an HTTP/1.1 request without Host with 400 in the envelope', async () => {
    const response = await raw(port, 'GET /api/tags HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'BAD_REQUEST',
      status: 400,
      errors: { body: ['the Host header is required'] },
    });
    expect(response.headers).toMatch(/x-request-id: /i);
  });

  it('still serves HTTP/1.0 without Host, and HTTP/1.1 with one', async () => {
    expect((await raw(port, 'GET /api/tags HTTP/1.0\r\n\r\n')).status).toBe(200);
    expect(
      (await raw(port, 'GET /api/tags HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status,
    ).toBe(200);
  });

  it('answers an unsupported Expect with 417 in the envelope', async () => {
    const response = await raw(
      port,
      'POST /api/users/login HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Type: application/json\r\n' +
        'Content-Length: 2\r\n\r\n{}',
    );
    expect(response.status).toBe(417);
    expect(response.body).toMatchObject({ code: 'EXPECTATION_FAILED', status: 417 });
    expect(response.headers).toMatch(/x-content-type-options: nosniff/i);
  });

  it('answers /metrics without METRICS_TOKEN exactly as an unknown route', async () => {
    const metrics = await api.get('/metrics');
    const unknown = await api.get('/metricz');
    expectErrorEnvelope(metrics, 404, 'ROUTE_NOT_FOUND');
    expectErrorEnvelope(unknown, 404, 'ROUTE_NOT_FOUND');
    expect(metrics.body.errors.body[0]).toBe('route GET /metrics does not exist');
    expect(unknown.body.errors.body[0]).toBe('route GET /metricz does not exist');
  });

  it.each(['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__', 'prototype'])(
    'refuses the query parameter %s as unknown (422)',
    async (name) => {
      const response = await api.get(`/api/articles?${name}=1`);
      expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED')[name]).toEqual([
        'is not allowed',
      ]);
    },
  );

  it('refuses inherited names inside a body too (422)', async () => {
    const user = await registerUser(api, 'inherit');
    const response = await api.put('/api/user', {
      token: user.token,
      body: { user: { bio: 'x', toString: 'y' } },
    });
    expect(expectErrorEnvelope(response, 422, 'VALIDATION_FAILED').toString).toEqual([
      'is not allowed',
    ]);
  });
});
