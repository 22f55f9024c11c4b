# syntax=docker/dockerfile:1
# mm-runner image: the runner (`node src/main.ts`) and the simulator (`node src/main.ts sim`).
# Node 24 strips TypeScript types natively: there is no build step. The `node` npm package is a
# devDependency (it pins Node 24 for npm scripts on the host); in the image the image's own node runs.
FROM node:24-slim

ENV NODE_ENV=production \
    NODE_OPTIONS=--disable-warning=ExperimentalWarning

WORKDIR /app

# Production dependencies only, exactly as locked; no install scripts run.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

COPY src ./src

# The event log lives on a volume mounted at /app/logs; the directory is created owned by the
# unprivileged `node` user (uid 1000) so a fresh named volume inherits that ownership.
RUN mkdir -p /app/logs && chown node:node /app/logs

USER node

# 9199: /metrics /health /ready (MM_OBS_HOST=0.0.0.0 in a container); 8765: the simulator.
EXPOSE 9199 8765

# PID 1 must forward SIGTERM: run with `docker run --init` or compose `init: true` (tini), so
# the runner's graceful stop (cancel all orders, flush telemetry) happens on `docker stop`.
STOPSIGNAL SIGTERM
CMD ["node", "src/main.ts"]
