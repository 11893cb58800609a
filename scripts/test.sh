#!/usr/bin/env bash
# `npm test`: bootstrap what the tests need, then build and run every test under Node >= 22.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
if [ -x .tools/node/bin/node ]; then export PATH="$PWD/.tools/node/bin:$PATH"; fi
npm run --silent build
exec npx vitest run "$@"
