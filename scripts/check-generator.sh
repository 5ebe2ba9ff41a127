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
# shellcheck source=scripts/ci-lib.sh
. "$ROOT/scripts/ci-lib.sh"

cleanup() {
  if [ -n "${KEEP:-}" ]; then echo "kept $COPY"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
  finish_summary generator
  exit
}

# step <label> <command...>: one pass/fail step, timed.
step() {
  local label=$1
  shift
  section "$label"
  if (cd "$COPY" && "$@") </dev/null; then
    record "$label" 1 0
  else
    record "$label" 0 1 "(exit $?)"
  fi
}

# jest_step <label> <project> <path regex> [VAR=value ...]: counts tests from the JSON report.
jest_step() {
  local label=$1 project=$2 pattern=$3 report="$WORK/jest-${1//[^a-z0-9]/-}.json"
  shift 3
  section "$label"
  (cd "$COPY" && env "$@" node --experimental-vm-modules node_modules/jest/bin/jest.js \
    --selectProjects "$project" --testPathPatterns "$pattern" \
    --json --outputFile="$report") </dev/null
  record_jest "$label" "$report" $?
}

# ---------------------------------------------------------------------------------------------
section "copy $ROOT → $COPY"
mkdir -p "$COPY"
if ! (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
  xargs -0 cp --parents --no-dereference -t "$COPY" 2>/dev/null); then
  # Files listed but deleted in the working tree cannot be copied; everything else was.
  echo "note: some listed files were missing from the working tree"
fi
ln -s "$ROOT/node_modules" "$COPY/node_modules"
if [ -f "$COPY/package.json" ] && [ -d "$COPY/src" ]; then
  record "copy" 1 0
else
  record "copy" 0 1 "(copy failed)"
  finish
fi

section "generate:module $NAME"
if ! (cd "$COPY" && node scripts/generate-module.mjs "$NAME" | tee "$WORK/generated.txt") </dev/null; then
  record "generate:module" 0 1
  finish
fi
record "generate:module" 1 0
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
