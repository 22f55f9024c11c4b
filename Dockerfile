# syntax=docker/dockerfile:1
# mm-runner image: the runner (`node src/main.ts`) and the simulator (`node src/main.ts sim`).
# Node 24 strips TypeScript types natively: there is no build step. The `node` npm package is a
# devDependency (it pins Node 24 for npm scripts on the host); in the image the image's own node runs.
FROM node:24-slim

# MM_OBS_HOST: in a container the ops server (/metrics, /health, /ready) must listen on every
# interface, or Prometheus and Kubernetes' probes, which connect to the pod's or container's own
# address, are refused. The runner's own default stays 127.0.0.1 on a host (src/config).
ENV NODE_ENV=production \
    NODE_OPTIONS=--disable-warning=ExperimentalWarning \
    MM_OBS_HOST=0.0.0.0

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

# 9199: /metrics /health /ready (bound to 0.0.0.0, see MM_OBS_HOST above); 8765: the simulator.
EXPOSE 9199 8765

# PID 1 must forward SIGTERM: run with `docker run --init` or compose `init: true` (tini), so
# the runner's graceful stop (cancel all orders, flush telemetry) happens on `docker stop`.
STOPSIGNAL SIGTERM
CMD ["node", "src/main.ts"]
