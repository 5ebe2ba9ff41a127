import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors/domain-errors.js';

/** A value of one keyset column as carried in a cursor. */
export type CursorValue = number | string;

/** What a cursor carries: the list it belongs to, its sort, and the last row's key values. */
export interface CursorPayload {
  list: string;
  /** Canonical sort, e.g. `-createdAt,username`. */
  sort: string;
  /** One value per keyset column: the sort terms, then the id tie-breaker. */
  values: CursorValue[];
}

const SIGNATURE_BYTES = 16;
/** Longest cursor accepted, before any decoding work (the DTO allows no more either). */
export const MAX_CURSOR_LENGTH = 2048;
const MAX_VALUES = 16;
const MAX_STRING_VALUE = 1024;

/**
 * Encodes cursors as base64url JSON plus a truncated HMAC-SHA256, so a client cannot forge
 * keyset values (e.g. to probe rows it cannot see) and any malformed, truncated or tampered
 * cursor is a 422, never a 500. Cursors are signed, not encrypted: they must only carry values
 * the client may see anyway (sort keys of rows it was just sent).
 */
export class CursorCodec {
  private readonly key: Buffer;

  /** `secret` is the application secret; a key of its own is derived from it for cursors. */
  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('conduit-pagination-cursor-v1').digest();
  }

  encode(payload: CursorPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** Verifies and parses a cursor; throws a 422 {@link ValidationError} on any defect. */
  decode(cursor: string): CursorPayload {
    if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH) throw invalidCursor();
    const parts = cursor.split('.');
    if (parts.length !== 2) throw invalidCursor();
    const [body, signature] = parts;
    // Compare the signature as text: base64url decoding is lenient (it ignores stray characters
    // and the unused bits of the last one), so decoded bytes could match for a different string.
    const expected = Buffer.from(this.sign(body));
    const actual = Buffer.from(signature);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw invalidCursor();
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (!isCursorPayload(payload)) throw invalidCursor();
    return { list: payload.list, sort: payload.sort, values: payload.values };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key)
      .update(body)
      .digest()
      .subarray(0, SIGNATURE_BYTES)
      .toString('base64url');
  }
}

function isCursorPayload(value: unknown): value is CursorPayload {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const { list, sort, values } = value as Record<string, unknown>;
  return (
    typeof list === 'string' &&
    typeof sort === 'string' &&
    Array.isArray(values) &&
    values.length > 0 &&
    values.length <= MAX_VALUES &&
    values.every(
      (item) =>
        (typeof item === 'number' && Number.isFinite(item)) ||
        (typeof item === 'string' && item.length <= MAX_STRING_VALUE),
    )
  );
}

/** The one message for every cursor the server did not issue unchanged. */
export function invalidCursor(): ValidationError {
  return ValidationError.of('cursor', 'is malformed or was tampered with');
}
