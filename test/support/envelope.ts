import { expect } from '@jest/globals';
import type { ApiResponse } from './http.js';

/**
 * Asserts the one error shape of the API: `{ errors: { field: [messages] }, code, status,
 * requestId }`, with the request id equal to the X-Request-Id response header and nothing else
 * in the body. Returns the envelope's `errors` for further checks.
 */
export function expectErrorEnvelope(
  response: ApiResponse,
  status: number,
  code: string,
): Record<string, string[]> {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
    body: { status, code },
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = response.body as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'errors', 'requestId', 'status']);
  expect(body.requestId).toEqual(expect.any(String));
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
  const errors = body.errors as Record<string, unknown>;
  expect(Object.keys(errors).length).toBeGreaterThan(0);
  for (const messages of Object.values(errors)) {
    expect(messages).toEqual(expect.arrayContaining([expect.any(String)]));
    expect((messages as unknown[]).every((message) => typeof message === 'string')).toBe(true);
  }
  return errors as Record<string, string[]>;
}
