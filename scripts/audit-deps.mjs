#!/usr/bin/env node
/**
 * `npm run audit:deps`: runs `npm audit --omit=dev --json` and fails on any high or critical
 * advisory not excused by a current entry of audit-allowlist.json (see scripts/audit-policy.mjs).
 *
 * Exit codes: 0 passed; 1 blocking findings; 2 the allowlist is invalid; 3 the audit could not
 * run (registry endpoint unreachable or refusing): report it as "unavailable", never as passed.
 *
 * Options: --report <file> decides on a saved `npm audit --json` output instead of running npm;
 * --allowlist <file> (default audit-allowlist.json at the repository root).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT, evaluateAudit, parseAllowlist } from './audit-policy.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
};

let entries;
try {
  const file = option('--allowlist') ?? `${root}audit-allowlist.json`;
  entries = parseAllowlist(JSON.parse(readFileSync(file, 'utf8')));
} catch (error) {
  console.error(`audit:deps: invalid allowlist: ${error.message}`);
  process.exit(EXIT.badAllowlist);
}

let report;
const saved = option('--report');
if (saved) {
  report = JSON.parse(readFileSync(saved, 'utf8'));
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['audit', '--omit=dev', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    report = JSON.parse(run.stdout);
  } catch {
    const why = run.error?.message ?? (run.stderr.trim().split('\n').pop() || `exit ${run.status}`);
    report = { error: { summary: why } };
  }
}

const result = evaluateAudit(report, entries);
for (const line of result.lines) console.log(`audit:deps: ${line}`);
process.exit(result.exitCode);
