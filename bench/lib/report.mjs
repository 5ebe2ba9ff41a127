// Turns measurements into the console table, bench/results/*.{json,md} and the results
// section of docs/performance.md (between the bench:results markers).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const DOCS_START = '<!-- bench:results:start -->';
export const DOCS_END = '<!-- bench:results:end -->';

const fixed = (value, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

function queriesText(side) {
  if (!side || side.queries === undefined) return '–';
  return side.queriesCold !== undefined && side.queriesCold !== side.queries
    ? `${side.queries} (cold ${side.queriesCold})`
    : String(side.queries);
}

function planText(plan) {
  if (!plan) return '–';
  const describe = (label, check) =>
    check.error
      ? `${label}: ${check.error}`
      : `${label}: ${check.scans.join(', ') || 'no scan of the table'} ${check.usesIndex ? '✓' : '✗'} (${fixed(check.ms, 1)} ms)`;
  return [plan.main && describe('rows', plan.main), plan.count && describe('count', plan.count)]
    .filter(Boolean)
    .join('; ');
}

const errorsOf = (side) => side.errors + side.timeouts + side.non2xx;

export function markdown(result) {
  const { meta } = result;
  const sizes = meta.sizes
    .map(
      (size) =>
        `${size.label}: ${size.users} users, ${size.articles} articles, ${size.comments} comments (seeded in ${fixed(size.seedSeconds, 1)} s)`,
    )
    .join('; ');
  const lines = [
    `Measured ${meta.date} on ${meta.machine}; Node ${meta.node}, PostgreSQL ${meta.postgres}.`,
    `Datasets: ${sizes}. Load: autocannon, ${meta.connections} connections,` +
      ` ${meta.rounds} × ${meta.seconds} s per server and scenario, alternating${meta.quick ? ' (--quick: smoke run, numbers not meaningful)' : ''}.`,
  ];
  for (const run of result.runs) {
    lines.push(
      '',
      `**${run.label} articles**`,
      '',
      '| Scenario | req/s ours | req/s baseline | ratio | p50 / p99 ms ours | p50 / p99 ms baseline | errors | peak RSS MiB ours / baseline | CPU µs per request ours / baseline | SQL per request ours / baseline |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const s of run.scenarios) {
      lines.push(
        `| ${s.title} | ${fixed(s.ours.rps)} | ${fixed(s.baseline.rps)} | ${fixed(s.ratio, 2)} | ${fixed(s.ours.p50, 1)} / ${fixed(s.ours.p99, 1)} | ${fixed(s.baseline.p50, 1)} / ${fixed(s.baseline.p99, 1)} | ${errorsOf(s.ours)} / ${errorsOf(s.baseline)} | ${fixed(s.ours.peakRssMb)} / ${fixed(s.baseline.peakRssMb)} | ${fixed(s.ours.cpuUs)} / ${fixed(s.baseline.cpuUs)} | ${queriesText(s.ours)} / ${queriesText(s.baseline)} |`,
      );
    }
    lines.push(
      '',
      `Query plans at ${run.label} (ours, PostgreSQL \`EXPLAIN ANALYZE\` of the main statement and of the count; ✓ = read through an index):`,
      '',
    );
    for (const s of run.scenarios) if (s.plan) lines.push(`- ${s.title}: ${planText(s.plan)}`);
  }
  lines.push('', '**Targets** (reported, not asserted):', '');
  for (const t of result.targets)
    lines.push(`- ${t.met ? '✅' : '❌'} ${t.name}: ${t.actual} (target ${t.target})`);
  if (result.mismatches.length > 0) {
    lines.push('', '**Responses that differ between the app and the baseline:**', '');
    for (const m of result.mismatches) lines.push(`- ${m}`);
  }
  return `${lines.join('\n')}\n`;
}

export function printTable(result) {
  const header = [
    'scenario',
    'ours/s',
    'base/s',
    'ratio',
    'ours p50/p99',
    'base p50/p99',
    'errors',
    'RSS MiB',
    'CPU µs/req',
    'SQL/req',
  ];
  for (const run of result.runs) {
    const rows = run.scenarios.map((s) => [
      s.title,
      fixed(s.ours.rps),
      fixed(s.baseline.rps),
      fixed(s.ratio, 2),
      `${fixed(s.ours.p50, 1)}/${fixed(s.ours.p99, 1)}`,
      `${fixed(s.baseline.p50, 1)}/${fixed(s.baseline.p99, 1)}`,
      `${errorsOf(s.ours)}/${errorsOf(s.baseline)}`,
      `${fixed(s.ours.peakRssMb)}/${fixed(s.baseline.peakRssMb)}`,
      `${fixed(s.ours.cpuUs)}/${fixed(s.baseline.cpuUs)}`,
      `${queriesText(s.ours)}/${queriesText(s.baseline)}`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(`\n${run.label} articles (seeded in ${fixed(run.seedSeconds, 1)} s)`);
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    console.log('');
    for (const s of run.scenarios) if (s.plan) console.log(`plan  ${s.title}: ${planText(s.plan)}`);
  }
  console.log('');
  for (const t of result.targets)
    console.log(
      `target ${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.actual} (target ${t.target})`,
    );
  for (const m of result.mismatches) console.log(`MISMATCH ${m}`);
}

export function writeResults(result, jsonPath, markdownPath) {
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(markdownPath, markdown(result));
}

/** Replaces what lies between the markers of the docs page; false when the markers are missing. */
export function updateDocs(docsPath, result) {
  if (!existsSync(docsPath)) return false;
  const text = readFileSync(docsPath, 'utf8');
  const start = text.indexOf(DOCS_START);
  const end = text.indexOf(DOCS_END);
  if (start < 0 || end < start) return false;
  // Generated tables are not column-aligned: keep Prettier (npm run lint) away from them.
  const section = [
    DOCS_START,
    '<!-- Generated by `npm run bench`; edits here are overwritten. -->',
    '<!-- prettier-ignore-start -->',
    '',
    markdown(result),
    '<!-- prettier-ignore-end -->',
    '',
  ].join('\n');
  writeFileSync(docsPath, text.slice(0, start) + section + text.slice(end));
  return true;
}
