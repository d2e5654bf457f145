# Shared by scripts/test.sh and scripts/demo.sh. Source it; do not run it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '\033[1m[hubspot-ai]\033[0m %s\n' "$*" >&2; }

# npm ci when node_modules is missing or older than package-lock.json.
ensure_node_modules() {
  local stamp="$ROOT/node_modules/.package-lock.sha"
  local want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing dependencies (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}

# The local PostgreSQL of this machine kind; start it if it is installed but stopped.
ensure_postgres() {
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then return 0; fi
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    log "starting the local PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && return 0; sleep 1; done
  log "PostgreSQL is not reachable on 127.0.0.1:5432 (set DATABASE_URL for another server)"
  return 1
}

build() {
  log "building (dist/apps/<service>/main.js, dist/tools, dist/sandbox)"
  (cd "$ROOT" && npm run --silent build)
}
