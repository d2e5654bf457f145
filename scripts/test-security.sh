#!/usr/bin/env bash
# The security regression suite on its own (it also runs inside `npm test`): every
# test whose file name contains `.security.`, in the unit and integration tiers,
# plus the webhook fuzz test. Needs Kafka and Postgres like `npm test`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
ensure_postgres
if [ -z "${KAFKA_BROKERS:-}" ]; then bash scripts/kafka.sh start; fi
npx jest --selectProjects unit int --ci --testPathPattern '\.security\.|webhook\.fuzz'
