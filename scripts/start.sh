#!/usr/bin/env bash
# `npm start`: the main job on a fresh machine. With AWS credentials: the wizard (`albctl init`).
# Without: the sandbox (`albctl sandbox`), the same wizard against a local AWS emulator.
# Extra arguments go to albctl, e.g. `npm start -- --yes`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ -x .tools/node/bin/node ]; then export PATH="$PWD/.tools/node/bin:$PATH"; fi
exec bin/albctl init --sandbox auto "$@"
