#!/usr/bin/env node
/**
 * `node scripts/check-openapi.mjs [openapi.json]`: checks that the exported document (from
 * `npm run openapi`) keeps the RealWorld contract: every RealWorld operation exists with the
 * same path and method, and what RealWorld requires (parameters, body and response
 * properties) is required here too. Prints one line per operation and a summary; exits 1 on
 * any problem, 2 when a document cannot be read.
 *
 * REALWORLD_DIR overrides where the RealWorld repository is (default ../shared/realworld,
 * relative to the repository root); its spec is api/openapi.yml.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { compareWithRealWorld } from './realworld-contract.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const oursFile = resolve(process.argv[2] ?? join(root, 'openapi.json'));
const realworldDir = resolve(root, process.env.REALWORLD_DIR ?? '../shared/realworld');
const theirsFile = join(realworldDir, 'api', 'openapi.yml');

let ours;
let theirs;
try {
  ours = JSON.parse(readFileSync(oursFile, 'utf8'));
  theirs = parse(readFileSync(theirsFile, 'utf8'));
} catch (error) {
  console.error(`cannot read the documents: ${error.message}`);
  console.error('(run `npm run openapi` first; set REALWORLD_DIR if the spec lives elsewhere)');
  process.exit(2);
}

const results = compareWithRealWorld(theirs, ours);
console.log(`RealWorld contract: ${theirsFile}\nchecked against:    ${oursFile}\n`);
for (const { method, path, problems } of results) {
  console.log(`${problems.length ? 'FAIL' : 'ok  '} ${method.padEnd(6)} ${path}`);
  for (const problem of problems) console.log(`       - ${problem}`);
}
const failed = results.filter((result) => result.problems.length > 0).length;
console.log(`\n${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
