/**
 * The decision behind `npm run audit:deps`, kept pure so it can be tested with fixtures of
 * `npm audit --json` output: which high/critical advisories block, which a reviewed allowlist
 * entry excuses, and whether the audit could run at all.
 */

/** Severities that fail the check. */
export const BLOCKING = new Set(['high', 'critical']);

/** Exit codes of audit-deps.mjs. */
export const EXIT = { passed: 0, findings: 1, badAllowlist: 2, unavailable: 3 };

/**
 * Checks an allowlist (`audit-allowlist.json`) and returns its entries. Every entry names the
 * package, the advisory (GHSA id or advisory URL), why it is acceptable, who reviewed it and
 * when, and a date after which it no longer applies: an exception nobody re-reviews expires.
 */
export function parseAllowlist(allowlist) {
  const entries = allowlist?.entries;
  if (!Array.isArray(entries)) throw new Error('the allowlist needs an "entries" array');
  entries.forEach((entry, index) => {
    for (const field of ['package', 'advisory', 'reason', 'reviewedBy', 'reviewedOn', 'expires']) {
      if (typeof entry?.[field] !== 'string' || entry[field].trim() === '')
        throw new Error(`allowlist entry ${index}: "${field}" is required`);
    }
    for (const field of ['reviewedOn', 'expires']) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(entry[field]) || Number.isNaN(Date.parse(entry[field])))
        throw new Error(`allowlist entry ${index}: "${field}" must be a YYYY-MM-DD date`);
    }
    const days = (Date.parse(entry.expires) - Date.parse(entry.reviewedOn)) / 86_400_000;
    if (days < 0 || days > MAX_EXCEPTION_DAYS)
      throw new Error(
        `allowlist entry ${index}: "expires" must be within ${MAX_EXCEPTION_DAYS} days of "reviewedOn"`,
      );
  });
  return entries;
}

/** How long a reviewed exception may last before it must be reviewed again. */
export const MAX_EXCEPTION_DAYS = 90;

/** The advisory's GHSA id when its URL carries one, else the URL or npm's numeric source. */
export function advisoryId(via) {
  const ghsa = /GHSA-[\w-]+/i.exec(via.url ?? '');
  return ghsa ? ghsa[0].toUpperCase() : String(via.url ?? via.source);
}

/**
 * Decides on one `npm audit --json` report. Returns `{ outcome, exitCode, lines }` where
 * outcome is 'passed', 'findings' or 'unavailable' and `lines` explain it, one per finding.
 */
export function evaluateAudit(report, allowlistEntries, today = new Date()) {
  if (!report || typeof report !== 'object' || report.error || !report.vulnerabilities) {
    const reason =
      report?.message ?? report?.error?.summary ?? report?.error?.code ?? 'no audit report';
    return {
      outcome: 'unavailable',
      exitCode: EXIT.unavailable,
      lines: [`npm audit unavailable: ${String(reason).split('\n')[0]}`],
    };
  }
  const day = today.toISOString().slice(0, 10);
  // Advisories are listed under the package they affect, as objects in `via`; packages that
  // are only vulnerable through a dependency list that dependency's name instead.
  const advisories = new Map();
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    for (const via of vulnerability.via ?? []) {
      if (typeof via !== 'object' || !BLOCKING.has(via.severity)) continue;
      const id = advisoryId(via);
      advisories.set(`${via.name} ${id}`, { package: via.name, id, ...via });
    }
  }
  const lines = [];
  let blocking = 0;
  const used = new Set();
  for (const advisory of advisories.values()) {
    const entry = allowlistEntries.find(
      (candidate) =>
        candidate.package === advisory.package &&
        (candidate.advisory.toUpperCase() === advisory.id ||
          candidate.advisory === advisory.url ||
          candidate.advisory === String(advisory.source)),
    );
    const describe = `${advisory.severity} ${advisory.package} ${advisory.id}: ${advisory.title ?? ''}`;
    if (entry && entry.expires >= day) {
      used.add(entry);
      lines.push(`allowed  ${describe} (until ${entry.expires}: ${entry.reason})`);
    } else if (entry) {
      used.add(entry);
      blocking += 1;
      lines.push(`BLOCKING ${describe} (allowlist entry expired on ${entry.expires})`);
    } else {
      blocking += 1;
      lines.push(`BLOCKING ${describe}`);
    }
  }
  for (const entry of allowlistEntries.filter((candidate) => !used.has(candidate))) {
    lines.push(`unused allowlist entry: ${entry.package} ${entry.advisory} (remove it)`);
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  lines.push(
    `${blocking} blocking high/critical advisor${blocking === 1 ? 'y' : 'ies'}; ` +
      `audit totals: critical ${counts.critical ?? 0}, high ${counts.high ?? 0}, ` +
      `moderate ${counts.moderate ?? 0}, low ${counts.low ?? 0}`,
  );
  return blocking > 0
    ? { outcome: 'findings', exitCode: EXIT.findings, lines }
    : { outcome: 'passed', exitCode: EXIT.passed, lines };
}
