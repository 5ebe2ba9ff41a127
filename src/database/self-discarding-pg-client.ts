import pg from 'pg';

/** PostgreSQL's query_canceled: the server-side statement_timeout fired. */
const QUERY_CANCELED = '57014';

/**
 * Whether a connection that saw `error` while running `text` may be in an unknown state, and
 * must not serve anyone again.
 *
 * - A client-side timeout ("Query read timeout", pg's `query_timeout`): the query may still be
 *   running or may have been lost on a frozen network, the connection may still be inside a
 *   transaction, and anything queued behind it (the ROLLBACK) can never be sent. Returned to
 *   the pool, the next borrower's statements would join that transaction and its COMMIT would
 *   commit the earlier, failed unit of work.
 * - A server-side statement timeout: the connection is usable, but it timed out all the same;
 *   a fresh connection costs little and nothing is left to chance.
 * - A failed ROLLBACK: the transaction may still be open.
 */
export function leavesConnectionUnusable(error: unknown, text: string | undefined): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === QUERY_CANCELED) return true;
  if (typeof message === 'string' && message.includes('Query read timeout')) return true;
  return text !== undefined && /^\s*ROLLBACK\b/i.test(text);
}

type QueryArguments = unknown[];

function queryText(args: QueryArguments): string | undefined {
  const [first] = args;
  if (typeof first === 'string') return first;
  const text = (first as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : undefined;
}

/**
 * The pg client of the pool (TypeORM passes `extra.Client` on to pg-pool): it ends itself as
 * soon as a query fails in a way {@link leavesConnectionUnusable}. `end()` with a query still
 * active destroys the socket at once, every query queued behind it fails with "Connection
 * terminated" instead of waiting for its own timeout, pg-pool discards a client that is ending
 * when it is released instead of lending it again, and PostgreSQL rolls back the open
 * transaction of a connection that goes away. So a unit of work that fails this way leaves
 * nothing behind, and the next request gets a fresh connection.
 */
export class SelfDiscardingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: QueryArguments) => unknown;
    const discardIfUnusable = (error: unknown, text: string | undefined) => {
      if (error && leavesConnectionUnusable(error, text)) void this.end().catch(() => undefined);
    };
    // Assigned rather than overridden: pg's overloads of query() cannot be restated generically.
    this.query = ((...args: QueryArguments) => {
      const text = queryText(args);
      const last = args.at(-1);
      if (typeof last === 'function') {
        args[args.length - 1] = (error: unknown, ...rest: unknown[]) => {
          discardIfUnusable(error, text);
          return (last as (...callbackArgs: unknown[]) => unknown)(error, ...rest);
        };
        return query(...args);
      }
      const result = query(...args);
      if (result instanceof Promise)
        result.catch((error: unknown) => discardIfUnusable(error, text));
      return result;
    }) as typeof this.query;
  }
}
