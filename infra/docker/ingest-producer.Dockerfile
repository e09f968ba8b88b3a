# syntax=docker/dockerfile:1.7
# Ingest producer: job API (POST /v1/jobs), dataset readers, BullMQ flow producer.
# Built from the repository root: docker build -f infra/docker/ingest-producer.Dockerfile .
# (docker compose does this; ingest-producer.Dockerfile.dockerignore beside this file keeps node_modules and data out of the context.)

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: install the workspace, bundle the service, then deploy it with only its production dependencies ----
FROM ${NODE_IMAGE} AS build
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@10.34.9
WORKDIR /repo
# Lockfile first: `pnpm fetch` fills the store from it alone, so this layer is reused until dependencies change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc tsconfig.base.json ./
RUN pnpm fetch
COPY packages ./packages
COPY services ./services
COPY tools ./tools
COPY test ./test
# onnxruntime-node ships its CPU binaries in the npm package; .npmrc skips the CUDA download.
RUN pnpm install --offline --frozen-lockfile --filter "@hybrid/ingest-producer..." \
 && pnpm --filter "@hybrid/ingest-producer" build \
 && pnpm --filter "@hybrid/ingest-producer" deploy --prod --legacy /out \
 && rm -rf /out/dist && cp -r services/ingest-producer/dist /out/dist

# ---- runtime: the bundle plus its external (native) dependencies, run as the unprivileged `node` user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8001 MODEL_CACHE_DIR=/models
WORKDIR /app
COPY --from=build --chown=node:node /out ./
# The model cache is a volume shared by the services; create it owned by `node` so the volume inherits that.
RUN mkdir -p /models && chown node:node /models
USER node
EXPOSE 8001
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/main.js"]
