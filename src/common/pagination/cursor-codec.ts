import { createCipheriv, createDecipheriv, hkdfSync, randomFillSync } from 'node:crypto';
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

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound to every cursor as associated data: a ciphertext made for anything else is refused. */
const ASSOCIATED_DATA = Buffer.from('conduit-pagination-cursor-v2');
/** Longest cursor accepted, before any decoding work (the DTO allows no more either). */
export const MAX_CURSOR_LENGTH = 2048;
const MAX_VALUES = 16;
const MAX_STRING_VALUE = 1024;
/** IVs drawn per refill of the pool; see {@link CursorCodec.nextIv}. */
const IVS_PER_REFILL = 256;

/**
 * Encodes cursors as base64url AES-256-GCM ciphertexts (random 96-bit IV, ciphertext, 128-bit
 * tag). Encrypted, so the keyset values (e.g. an email when the admin list is sorted by email)
 * cannot be read from a URL or a log line; authenticated, so a client cannot forge keyset
 * values (e.g. to probe rows it cannot see), and any malformed, truncated or tampered cursor is
 * a 422, never a 500.
 */
export class CursorCodec {
  private readonly key: Buffer;
  private readonly ivPool = Buffer.alloc(IV_BYTES * IVS_PER_REFILL);
  private ivOffset = this.ivPool.length;

  /** `secret` is the application secret; a key of its own is derived from it (HKDF-SHA256). */
  constructor(secret: string) {
    this.key = Buffer.from(
      hkdfSync('sha256', secret, 'conduit-platform', 'pagination-cursor-aes-256-gcm', 32),
    );
  }

  encode(payload: CursorPayload): string {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(ASSOCIATED_DATA);
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(payload), 'utf8'),
      cipher.final(),
    ]);
    return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * A fresh random IV, never handed out twice (the pool is refilled only once every IV in it
   * was used, and each is copied into its cursor at once). Drawn from a pool because
   * randomBytes(12) costs ~5 µs a call, half the cost of encoding, on every list page; Node's
   * randomUUID pools its entropy the same way.
   */
  private nextIv(): Buffer {
    if (this.ivOffset >= this.ivPool.length) {
      randomFillSync(this.ivPool);
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + IV_BYTES);
    this.ivOffset += IV_BYTES;
    return iv;
  }

  /** Authenticates, decrypts and parses a cursor; throws a 422 {@link ValidationError} on any defect. */
  decode(cursor: string): CursorPayload {
    if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH) throw invalidCursor();
    const bytes = Buffer.from(cursor, 'base64url');
    // base64url decoding is lenient (it skips stray characters and ignores the unused bits of
    // the last one): only the canonical spelling of the bytes is accepted, so no two strings
    // are the same cursor.
    if (bytes.length < IV_BYTES + TAG_BYTES + 1 || bytes.toString('base64url') !== cursor) {
      throw invalidCursor();
    }
    let payload: unknown;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES))
        .setAAD(ASSOCIATED_DATA)
        .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
      payload = JSON.parse(plain.toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (!isCursorPayload(payload)) throw invalidCursor();
    return { list: payload.list, sort: payload.sort, values: payload.values };
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
