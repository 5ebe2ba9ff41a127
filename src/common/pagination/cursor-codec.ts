import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors/domain-errors.js';

/** What a cursor carries: the list it belongs to, its sort, and the last row's key values. */
export interface CursorPayload {
  list: string;
  sort: string;
  values: Array<number | string>;
}

const SIGNATURE_BYTES = 16;

/**
 * Encodes cursors as base64url JSON plus a truncated HMAC, so a client cannot forge keyset
 * values (e.g. to probe hidden rows) and a tampered cursor is a clean 422, never a 500.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(payload: CursorPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  decode(cursor: string): CursorPayload {
    const [body, signature, ...rest] = cursor.split('.');
    if (!body || !signature || rest.length > 0) throw invalidCursor();
    const expected = Buffer.from(this.sign(body), 'base64url');
    const actual = Buffer.from(signature, 'base64url');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
      throw invalidCursor();
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (!isCursorPayload(payload)) throw invalidCursor();
    return payload;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret)
      .update(`cursor:${body}`)
      .digest()
      .subarray(0, SIGNATURE_BYTES)
      .toString('base64url');
  }
}

function isCursorPayload(value: unknown): value is CursorPayload {
  if (!value || typeof value !== 'object') return false;
  const { list, sort, values } = value as Record<string, unknown>;
  return (
    typeof list === 'string' &&
    typeof sort === 'string' &&
    Array.isArray(values) &&
    values.every((item) => typeof item === 'number' || typeof item === 'string')
  );
}

function invalidCursor(): ValidationError {
  return ValidationError.of('cursor', 'is malformed or was tampered with');
}
