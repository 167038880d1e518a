# syntax=docker/dockerfile:1
# @tikethet/bot on its own. Build from the repository root (the context must hold the whole workspace):
#   docker build -f deployment/docker/bot.Dockerfile -t tikethet/bot .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
# pnpm as pinned by package.json (packageManager) and turbo as locked in pnpm-lock.yaml.
ARG PNPM_VERSION=12.21.0
ARG TURBO_VERSION=2.11.11
# pmOnFail=ignore: the lockfile does not record pnpm itself, so pnpm must not try to resolve its own pin.
ENV CI=true TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 pnpm_config_pm_on_fail=ignore
RUN npm install -g pnpm@${PNPM_VERSION} turbo@${TURBO_VERSION} && npm cache clean --force

# 1. Prune the monorepo to @tikethet/bot and the workspace packages it depends on.
FROM base AS prune
WORKDIR /repo
COPY . .
RUN turbo prune @tikethet/bot --docker --out-dir /out

# 2. Install from the package manifests and the pruned lockfile only (this layer is reused until a dependency
#    changes), then add the sources and build. `--pm-on-fail=ignore`: the lockfile does not record pnpm itself.
FROM base AS build
WORKDIR /app
COPY --from=prune /out/json/ ./
RUN --mount=type=cache,id=tikethet-pnpm-store,target=/pnpm-store \
    pnpm install --frozen-lockfile --pm-on-fail=ignore --store-dir /pnpm-store
COPY --from=prune /out/full/ ./
# turbo prune copies workspace packages only: the shared TypeScript base config comes separately.
COPY --from=prune /repo/tsconfig.base.json ./tsconfig.base.json
RUN pnpm turbo run build --filter=@tikethet/bot
# A self-contained copy of the app: its files, the built workspace packages it uses, production dependencies.
# Build output is copied explicitly: pnpm deploy leaves out what the app's .gitignore lists (dist, dist-server).
RUN --mount=type=cache,id=tikethet-pnpm-store,target=/pnpm-store \
    pnpm --filter @tikethet/bot deploy --prod --offline --pm-on-fail=ignore --store-dir /pnpm-store /deploy \
 && cp -R apps/bot/dist* /deploy/ \
 && rm -rf /deploy/src /deploy/.turbo

# 3. Runtime: Node and the deployed app only, as the unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /deploy ./
USER node
EXPOSE 3002
# `PORT` (the platforms' convention) wins over BOT_PORT, as in the app itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||process.env.BOT_PORT||3002)+'/readyz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# The package's `start` script, without pnpm in between so SIGTERM reaches Node directly.
CMD ["node", "dist/index.js"]
