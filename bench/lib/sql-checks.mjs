// Query counts and plans. Counting needs no hook in the app: a second app instance reaches
// PostgreSQL through a wire-protocol tap (pg-wire-tap.mjs) and each scenario's request is
// sent to it alone; the baseline counts in a plain variable. The main statement of each
// scenario is then EXPLAINed with the parameters the tap saw.

/** Statements recorded by `tap` while `work` ran (requests are sent one at a time). */
export async function statementsDuring(tap, work) {
  const before = tap.statements.length;
  await work();
  await new Promise((resolve) => setTimeout(resolve, 100)); // let the last bytes arrive
  return tap.statements.slice(before);
}

/** Statements the baseline issued while `work` ran (it serves /__bench/queries). */
export async function baselineQueriesDuring(baseUrl, work) {
  const read = async () => (await (await fetch(`${baseUrl}/__bench/queries`)).json()).queries;
  const before = await read();
  await work();
  return (await read()) - before;
}

/**
 * EXPLAIN (ANALYZE) of one recorded statement; returns how `table` is read: the scan node
 * types and index names, whether an index is used, and the execution time.
 */
export async function explain(client, statement, table) {
  const { rows } = await client.query(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`,
    statement.parameters,
  );
  const plan = rows[0]['QUERY PLAN'][0];
  const scans = [];
  const walk = (node) => {
    if (node['Relation Name'] === table) {
      const index =
        node['Index Name'] ??
        node.Plans?.find((child) => child['Node Type'] === 'Bitmap Index Scan')?.['Index Name'];
      scans.push(index ? `${node['Node Type']} using ${index}` : node['Node Type']);
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan.Plan);
  return {
    scans: [...new Set(scans)],
    usesIndex: scans.length > 0 && scans.every((scan) => / using /.test(scan)),
    ms: plan['Execution Time'],
  };
}
