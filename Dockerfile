# syntax=docker/dockerfile:1
#
# One image for every hubspot-ai process. The four services and the ops tool differ
# only by the command they run:
#   node dist/apps/ingest/main.js      (default CMD; HTTP on INGEST_PORT and ADMIN_PORT)
#   node dist/apps/enricher/main.js
#   node dist/apps/writer/main.js
#   node dist/apps/scheduler/main.js
#   node dist/tools/main.js db:create | db:migrate | kafka:topics
#
#   docker build -t hubspot-ai .
#   docker run --rm -e ... hubspot-ai node dist/apps/writer/main.js
#
# Configuration is environment only (see docker-compose.yml and docs); no secret is
# baked into the image.

# The current Node LTS (26 "Lithium", LTS since 2026-10-28), on Debian 13: the default
# Debian of the official Node 26 images (bookworm's LTS ends before Node 26's).
# The code also runs and is tested on Node 20 (CI) and on this LTS (npm run test:lts,
# scripts/node-lts.sh); docs/decisions/0025-node-lts-and-hubspot-sdk-14.md.
ARG NODE_IMAGE=node:26-trixie-slim

# ---------------------------------------------------------------------------
# build: full dependency tree (dev included) and the compiled dist/
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false

# Dependencies first so that source edits keep this layer cached.
COPY package.json package-lock.json ./
RUN npm ci

COPY . .
# Fail the image build, not the container start, when an entry point is missing.
RUN npm run build \
 && for entry in apps/ingest apps/enricher apps/writer apps/scheduler tools; do \
      test -f "dist/$entry/main.js" || { echo "npm run build produced no dist/$entry/main.js" >&2; exit 1; }; \
    done

# ---------------------------------------------------------------------------
# runtime: production dependencies + dist/ only, non-root
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false

COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY --from=build /app/dist ./dist

# The files stay owned by root and read-only to the process; the services write
# nothing to disk (state lives in Postgres and Kafka). `node` (uid 1000) ships
# with the official Node images.
USER node

# INGEST_PORT, ADMIN_PORT (the others are headless)
EXPOSE 3000 3001

CMD ["node", "dist/apps/ingest/main.js"]
