import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { advisoryId, EXIT, evaluateAudit, parseAllowlist } from './audit-policy.mjs';

const TODAY = new Date('2026-11-25T12:00:00Z');

/** An `npm audit --json` (auditReportVersion 2) report with the given vulnerabilities. */
function report(vulnerabilities, counts = {}) {
  return {
    auditReportVersion: 2,
    vulnerabilities,
    metadata: {
      vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...counts },
    },
  };
}

/** A package with one advisory of its own, and one that is vulnerable only through it. */
function finding(name, severity, ghsa) {
  return {
    [name]: {
      name,
      severity,
      isDirect: false,
      via: [
        {
          source: 1099999,
          name,
          dependency: name,
          title: `${name} does something bad`,
          url: `https://github.com/advisories/${ghsa}`,
          severity,
          range: '<2.0.0',
        },
      ],
      effects: ['parent'],
      range: '<2.0.0',
      fixAvailable: true,
    },
    parent: { name: 'parent', severity, isDirect: true, via: [name], effects: [], range: '*' },
  };
}

const entry = (overrides = {}) => ({
  package: 'tar',
  advisory: 'GHSA-aaaa-bbbb-cccc',
  reason: 'only parses archives we build ourselves',
  reviewedBy: 'security@conduit',
  reviewedOn: '2026-11-01',
  expires: '2027-01-29',
  ...overrides,
});

describe('evaluateAudit', () => {
  it('fails on a high finding', () => {
    const result = evaluateAudit(report(finding('tar', 'high', 'GHSA-aaaa-bbbb-cccc')), [], TODAY);
    expect(result).toMatchObject({ outcome: 'findings', exitCode: EXIT.findings });
    expect(result.lines[0]).toMatch(/^BLOCKING high tar GHSA-AAAA-BBBB-CCCC/);
  });

  it('fails on a critical finding', () => {
    const result = evaluateAudit(report(finding('tar', 'critical', 'GHSA-x')), [], TODAY);
    expect(result.exitCode).toBe(EXIT.findings);
  });

  it('passes a high finding a current allowlist entry excuses, and says so', () => {
    const result = evaluateAudit(
      report(finding('tar', 'high', 'GHSA-aaaa-bbbb-cccc')),
      [entry()],
      TODAY,
    );
    expect(result).toMatchObject({ outcome: 'passed', exitCode: EXIT.passed });
    expect(result.lines[0]).toMatch(/^allowed +high tar .*until 2027-01-29/);
  });

  it('accepts the advisory URL instead of its GHSA id', () => {
    const result = evaluateAudit(
      report(finding('tar', 'high', 'GHSA-aaaa-bbbb-cccc')),
      [entry({ advisory: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc' })],
      TODAY,
    );
    expect(result.exitCode).toBe(EXIT.passed);
  });

  it('fails again once the allowlist entry has expired', () => {
    const result = evaluateAudit(
      report(finding('tar', 'high', 'GHSA-aaaa-bbbb-cccc')),
      [entry({ expires: '2026-11-24' })],
      TODAY,
    );
    expect(result.exitCode).toBe(EXIT.findings);
    expect(result.lines[0]).toMatch(/expired on 2026-11-24/);
  });

  it('does not let an entry for another package excuse the advisory', () => {
    const result = evaluateAudit(
      report(finding('tar', 'high', 'GHSA-aaaa-bbbb-cccc')),
      [entry({ package: 'not-tar' })],
      TODAY,
    );
    expect(result.exitCode).toBe(EXIT.findings);
    expect(result.lines).toContain(
      'unused allowlist entry: not-tar GHSA-aaaa-bbbb-cccc (remove it)',
    );
  });

  it.each(['moderate', 'low', 'info'])('passes a %s finding', (severity) => {
    const result = evaluateAudit(report(finding('tar', severity, 'GHSA-m')), [], TODAY);
    expect(result).toMatchObject({ outcome: 'passed', exitCode: EXIT.passed });
  });

  it('passes a clean report', () => {
    expect(evaluateAudit(report({}), [], TODAY).exitCode).toBe(EXIT.passed);
  });

  it('reports the registry refusing the audit as unavailable, never as passed', () => {
    const refused = {
      message:
        '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      error: { summary: '', detail: '' },
    };
    const result = evaluateAudit(refused, [], TODAY);
    expect(result).toMatchObject({ outcome: 'unavailable', exitCode: EXIT.unavailable });
    expect(result.lines).toEqual([
      'npm audit unavailable: 405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    ]);
  });

  it.each([
    null,
    'not json',
    {},
    { error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND' } },
  ])('treats %p as unavailable', (output) => {
    expect(evaluateAudit(output, [], TODAY).exitCode).toBe(EXIT.unavailable);
  });
});

describe('parseAllowlist', () => {
  it('accepts complete entries', () => {
    expect(parseAllowlist({ entries: [entry()] })).toEqual([entry()]);
  });

  it.each(['package', 'advisory', 'reason', 'reviewedBy', 'reviewedOn', 'expires'])(
    'rejects an entry without %s',
    (field) => {
      expect(() => parseAllowlist({ entries: [entry({ [field]: '' })] })).toThrow(field);
    },
  );

  it('rejects a date that is not YYYY-MM-DD', () => {
    expect(() => parseAllowlist({ entries: [entry({ expires: 'next year' })] })).toThrow('expires');
  });

  it('rejects an exception that lasts more than 90 days after its review', () => {
    expect(() =>
      parseAllowlist({ entries: [entry({ reviewedOn: '2026-01-01', expires: '2026-06-01' })] }),
    ).toThrow('within 90 days');
  });

  it('rejects a file without entries', () => {
    expect(() => parseAllowlist({})).toThrow('entries');
  });
});

describe('advisoryId', () => {
  it('takes the GHSA id from the advisory URL, else the URL or source', () => {
    expect(advisoryId({ url: 'https://github.com/advisories/ghsa-abcd-1234-wxyz' })).toBe(
      'GHSA-ABCD-1234-WXYZ',
    );
    expect(advisoryId({ url: 'https://npmjs.com/advisories/1' })).toBe(
      'https://npmjs.com/advisories/1',
    );
    expect(advisoryId({ source: 1234 })).toBe('1234');
  });
});

describe('audit-deps.mjs', () => {
  const script = fileURLToPath(new URL('./audit-deps.mjs', import.meta.url));

  /** Runs the script on a saved report and allowlist; returns its exit code and output. */
  function run(auditReport, allowlist) {
    const dir = mkdtempSync(join(tmpdir(), 'audit-deps-'));
    try {
      writeFileSync(join(dir, 'report.json'), JSON.stringify(auditReport));
      writeFileSync(join(dir, 'allowlist.json'), JSON.stringify(allowlist));
      const result = spawnSync(
        process.execPath,
        [script, '--report', join(dir, 'report.json'), '--allowlist', join(dir, 'allowlist.json')],
        { encoding: 'utf8' },
      );
      return { code: result.status, output: result.stdout + result.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const future = { ...entry(), reviewedOn: '2099-01-01', expires: '2099-03-01' };

  it.each([
    ['a high finding', report(finding('tar', 'high', 'GHSA-aaaa-bbbb-cccc')), [], 1],
    ['an allowlisted finding', report(finding('tar', 'high', 'GHSA-aaaa-bbbb-cccc')), [future], 0],
    ['a moderate finding', report(finding('tar', 'moderate', 'GHSA-m')), [], 0],
    ['a refused audit', { message: '405 Method Not Allowed', error: {} }, [], 3],
    ['an invalid allowlist', report({}), [{ package: 'tar' }], 2],
  ])('exits as specified for %s', (_case, auditReport, entries, code) => {
    const result = run(auditReport, { entries });
    expect({ code: result.code, output: result.output }).toMatchObject({ code });
    expect(result.output).toMatch(/^audit:deps: /);
  });
});
