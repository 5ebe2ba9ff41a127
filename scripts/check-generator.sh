#!/usr/bin/env bash
# Proves `npm run generate:module` produces a module that builds, lints and passes its own
# tests: copies this working tree (tracked and untracked files, minus ignored ones) to a
# temporary directory, links node_modules, generates a module there, then runs
#   1. the type check of the whole copy (tsc --noEmit -p tsconfig.json: src and tests) and the
#      production build (nest build, with the Swagger plugin);
#   2. ESLint and Prettier on the generated and registration files;
#   3. the generated unit tests and e2e tests on SQLite, and the e2e tests on PostgreSQL when
#      DATABASE_URL is set (the e2e tests include the entity-vs-migration drift check).
# The real checkout is never modified. Every step is counted; the last line of output is
# exactly `generator: N passed, N failed` and the exit status is non-zero when anything failed.
#
#   scripts/check-generator.sh [module-name]        (default: bookmarks)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test scripts/check-generator.sh
#   KEEP=1 scripts/check-generator.sh               (leave the copy for inspection)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=${1:-bookmarks}
PG_URL=${DATABASE_URL:-}
unset DATABASE_URL
export CI=true

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conduit-generator.XXXXXX")
COPY="$WORK/repo"
PASSED=0
FAILED=0
SUMMARY=()
STARTED=$SECONDS

cleanup() {
  if [ -n "${KEEP:-}" ]; then echo "kept $COPY"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section() { printf '\n==== %s ====\n' "$*"; }

# record <label> <passed> <failed> [note]
record() {
  PASSED=$((PASSED + $2))
  FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-26s passed=%-4s failed=%-3s %3ss %s' "$1" "$2" "$3" "$4" "${5:-}")")
}

finish() {
  section "summary (${NAME}, $((SECONDS - STARTED))s)"
  printf '%s\n' "${SUMMARY[@]}"
  echo "generator: $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit
}

# step <label> <command...>: one pass/fail step, timed.
step() {
  local label=$1 start=$SECONDS
  shift
  section "$label"
  if (cd "$COPY" && "$@") </dev/null; then
    record "$label" 1 0 $((SECONDS - start))
  else
    record "$label" 0 1 $((SECONDS - start)) "(exit $?)"
  fi
}

# jest_step <label> <project> <path regex> [VAR=value ...]: counts tests from the JSON report.
jest_step() {
  local label=$1 project=$2 pattern=$3 start=$SECONDS report="$WORK/jest-${1//[^a-z0-9]/-}.json"
  local rc counts
  shift 3
  section "$label"
  (cd "$COPY" && env "$@" node --experimental-vm-modules node_modules/jest/bin/jest.js \
    --selectProjects "$project" --testPathPatterns "$pattern" \
    --json --outputFile="$report") </dev/null
  rc=$?
  counts=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites, r.numTotalTests);
  ' "$report" 2>/dev/null)
  if [ -z "$counts" ]; then
    record "$label" 0 1 $((SECONDS - start)) "(no jest report; exit $rc)"
    return
  fi
  local passed failed total note=""
  read -r passed failed total <<<"$counts"
  # No test found, or a crash after the run, still fails.
  if [ "$total" -eq 0 ]; then failed=1 note="(no tests matched $pattern)"; fi
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1 note="(jest exited $rc)"; fi
  record "$label" "$passed" "$failed" $((SECONDS - start)) "$note"
}

# ---------------------------------------------------------------------------------------------
section "copy $ROOT → $COPY"
start=$SECONDS
mkdir -p "$COPY"
if ! (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
  xargs -0 cp --parents --no-dereference -t "$COPY" 2>/dev/null); then
  # Files listed but deleted in the working tree cannot be copied; everything else was.
  echo "note: some listed files were missing from the working tree"
fi
ln -s "$ROOT/node_modules" "$COPY/node_modules"
if [ -f "$COPY/package.json" ] && [ -d "$COPY/src" ]; then
  record "copy" 1 0 $((SECONDS - start))
else
  record "copy" 0 1 $((SECONDS - start)) "(copy failed)"
  finish
fi

section "generate:module $NAME"
start=$SECONDS
if ! (cd "$COPY" && node scripts/generate-module.mjs "$NAME" | tee "$WORK/generated.txt") </dev/null; then
  record "generate:module" 0 1 $((SECONDS - start))
  finish
fi
record "generate:module" 1 0 $((SECONDS - start))
mapfile -t CHANGED < <(sed -nE 's/^  (created|updated)  //p' "$WORK/generated.txt")
KEBABS=$(sed -nE 's#^  created  src/modules/([^/]+)/.*#\1#p' "$WORK/generated.txt" | head -n 1)
echo "files: ${#CHANGED[@]}, module folder: src/modules/$KEBABS"

step "typecheck (tsc)" npx --no-install tsc -p tsconfig.json --noEmit
# The production build: tsconfig.build.json with the Swagger plugin reading the new DTOs.
step "build (nest build)" npx --no-install nest build
step "eslint" npx --no-install eslint --max-warnings 0 "${CHANGED[@]}"
step "prettier" npx --no-install prettier --check "${CHANGED[@]}"
jest_step "unit tests" unit "/src/modules/$KEBABS/"
jest_step "e2e tests (sqlite)" e2e "/test/e2e/$KEBABS\\.e2e-spec\\.ts\$"
if [ -n "$PG_URL" ]; then
  jest_step "e2e tests (postgres)" e2e "/test/e2e/$KEBABS\\.e2e-spec\\.ts\$" DATABASE_URL="$PG_URL"
fi
finish
