import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { sendClientErrorEnvelope } from './client-error-handler.js';

/** A socket that records what is written to it. */
function fakeSocket(state: { destroyed?: boolean } = {}) {
  const written: string[] = [];
  const socket = {
    destroyed: state.destroyed ?? false,
    writable: !state.destroyed,
    write: (chunk: string) => written.push(chunk),
    destroy: () => undefined,
  } as unknown as Socket;
  return { socket, written };
}

function parse(raw: string) {
  const [head, body] = raw.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.split(': ')[0].toLowerCase(), line.split(': ')[1]]),
  );
  return { statusLine, headers, body: JSON.parse(body) };
}

describe('sendClientErrorEnvelope', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', 400, 'BAD_REQUEST'],
  ])('answers %s with a %i envelope carrying its request id', (errorCode, status, code) => {
    const { socket, written } = fakeSocket();
    sendClientErrorEnvelope(Object.assign(new Error('parse'), { code: errorCode }), socket);
    const response = parse(written.join(''));
    expect(response.statusLine).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      errors: { body: [expect.any(String)] },
      code,
      status,
      requestId: response.headers['x-request-id'],
    });
    expect(Number(response.headers['content-length'])).toBe(
      Buffer.byteLength(JSON.stringify(response.body)),
    );
  });

  it('writes nothing to a connection that is already gone', () => {
    const { socket, written } = fakeSocket({ destroyed: true });
    sendClientErrorEnvelope(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), socket);
    expect(written).toEqual([]);
  });
});
