#!/usr/bin/env bash
# `npm test`: bootstrap what the tests need, then build and run every test under Node >= 22.
# With no arguments it runs in two phases: every test file but the timing-bound load-test ones
# (two workers), then those alone on the machine, one at a time. They check that the load
# generator ends on time at 1,000 connections and that its corrected latencies match a schedule:
# beside the kill loops and the sandbox on two cores they measured the machine, not albctl.
# With arguments (files, -t patterns) it runs one vitest with them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
if [ -x .tools/node/bin/node ]; then export PATH="$PWD/.tools/node/bin:$PATH"; fi
npm run --silent build
if [ "$#" -gt 0 ]; then exec npx vitest run "$@"; fi

quiet=(test/reliability/loadtest.test.ts test/e2e/loadtest/open-model.test.ts)
excludes=()
for f in "${quiet[@]}"; do excludes+=(--exclude "$f"); done
status=0
npx vitest run "${excludes[@]}" || status=$?
echo "npm test: the timing-bound load tests, alone on the machine: ${quiet[*]}"
npx vitest run --maxWorkers 1 "${quiet[@]}" || status=$?
exit "$status"
