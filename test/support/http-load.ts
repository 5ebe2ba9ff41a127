import { request as httpRequest } from 'node:http';

/** What became of one request sent by {@link sendRecorded}. */
export interface RecordedOutcome {
  startedAt: number;
  endedAt: number;
  /** Absent when no response arrived. */
  status?: number;
  body?: unknown;
  /** The response's `Connection` header (`keep-alive`, `close`, or null when absent). */
  connection?: string | null;
  /** Set when the response started but its body could not be read completely. */
  truncated?: boolean;
  /**
   * Why no (complete) response arrived: a system error code (`ECONNREFUSED`, `ECONNRESET`),
   * undici's (`UND_ERR_SOCKET` for "other side closed"), or `TIMEOUT` (no answer in time).
   */
  error?: string;
}

/**
 * Sends one request over the global fetch (kept-alive connections, as browsers and most HTTP
 * clients use them) and records its outcome instead of throwing; after `timeoutMs` it is
 * abandoned as `TIMEOUT`.
 */
export async function sendRecorded(
  url: string,
  init: RequestInit = {},
  timeoutMs = 30_000,
): Promise<RecordedOutcome> {
  const startedAt = Date.now();
  const failed = (error: unknown, partial: Partial<RecordedOutcome> = {}): RecordedOutcome => ({
    startedAt,
    endedAt: Date.now(),
    ...partial,
    error: errorCode(error),
  });
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return failed(error);
  }
  const connection = response.headers.get('connection');
  try {
    const text = await response.text();
    return {
      startedAt,
      endedAt: Date.now(),
      status: response.status,
      connection,
      body: text ? JSON.parse(text) : null,
    };
  } catch (error) {
    return failed(error, { status: response.status, connection, truncated: true });
  }
}

/**
 * GET on a connection of its own (no keep-alive), as a client without a connection pool
 * sends it; recorded like {@link sendRecorded}.
 */
export function getOnNewConnection(url: string, timeoutMs = 30_000): Promise<RecordedOutcome> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const request = httpRequest(url, { agent: false, timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({
          startedAt,
          endedAt: Date.now(),
          status: response.statusCode,
          connection: response.headers.connection ?? null,
          body: text,
        }),
      );
      response.on('error', (error) =>
        resolve({
          startedAt,
          endedAt: Date.now(),
          status: response.statusCode,
          error: errorCode(error),
        }),
      );
    });
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    request.on('error', (error) =>
      resolve({ startedAt, endedAt: Date.now(), error: errorCode(error) }),
    );
    request.end();
  });
}

function errorCode(error: unknown): string {
  // Not `instanceof Error`: fetch's DOMException may come from another realm under Jest.
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'TIMEOUT';
  const direct = (error as { code?: unknown }).code;
  if (typeof direct === 'string') return direct;
  const cause = (error as { cause?: { code?: string; name?: string; message?: string } }).cause;
  if (cause?.name === 'TimeoutError') return 'TIMEOUT';
  return cause?.code ?? cause?.message ?? String(error);
}

/**
 * Failures a client sees on a connection that had been established: the server closed or
 * reset it under a request. A refused connection (`ECONNREFUSED`, nothing listens any more) is
 * not one: the client knows its request was never received.
 */
export const isConnectionReset = (outcome: RecordedOutcome): boolean =>
  outcome.error !== undefined && outcome.error !== 'ECONNREFUSED' && outcome.error !== 'TIMEOUT';

/** `count × description` lines, for logging what a load saw. */
export function tally<T>(items: readonly T[], describe: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(describe(item), (counts.get(describe(item)) ?? 0) + 1);
  return [...counts].map(([key, count]) => `${count} × ${key}`).join('\n  ');
}
