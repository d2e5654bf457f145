#!/usr/bin/env bash
# Runs every test tier against the real Kafka and Postgres. Works right after
# `git clone`: installs dependencies, starts the local Kafka when none is running,
# builds the services (the end-to-end tests run them as processes).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
ensure_postgres
if [ -z "${KAFKA_BROKERS:-}" ]; then bash scripts/kafka.sh start; fi
npx tsc -p tsconfig.json --noEmit
build

node test/support/clean-leftovers.js
log "unit and integration tests"
npx jest --selectProjects unit int --ci
log "end-to-end tests"
npx jest --selectProjects e2e --ci --runInBand
