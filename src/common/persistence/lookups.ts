import type { EntityManager } from 'typeorm';

/**
 * Runs independent read lookups: in parallel outside a transaction (each takes its own pooled
 * connection), one after another inside one (`manager` given). A transaction has a single
 * connection, and concurrent queries on one pg client only work because pg queues them, which
 * pg 8 deprecates and pg 9 removes.
 */
export async function lookUpAll<Results extends readonly unknown[]>(
  manager: EntityManager | undefined,
  lookups: { [Index in keyof Results]: () => Promise<Results[Index]> },
): Promise<Results> {
  if (manager === undefined)
    return (await Promise.all(lookups.map((lookup) => lookup()))) as unknown as Results;
  const results: unknown[] = [];
  for (const lookup of lookups) results.push(await lookup());
  return results as unknown as Results;
}
