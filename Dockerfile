# standin in a container. Three stages: compile with the dev tools, install the production
# dependencies alone, then a runtime image with only dist/, specs/ and those dependencies, run as
# the image's unprivileged `node` user. Alpine keeps it small. One dependency is native: GoRules'
# decision engine (@gorules/zen-engine, Rust via napi), whose binding for this platform is an
# optional dependency: on Alpine, npm ci installs @gorules/zen-engine-linux-x64-musl from the lock
# (it needs no install script, so --ignore-scripts keeps it). Optional dependencies must never be
# omitted here (no --omit=optional), or GoRules cannot evaluate.
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# The build generates the control-plane client's types from this spec (npm's prebuild).
COPY specs/control-plane ./specs/control-plane
RUN npm run build

FROM node:20-alpine AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# The image fails to build, rather than to evaluate, when the engine's binding for this platform
# is missing (a lock without it, an architecture it has no binding for).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
    && node -e "require('@gorules/zen-engine')"

FROM node:20-alpine
# Listens on every interface of the container; the control plane is then off unless
# STANDIN_ADMIN_TOKEN is set (see the README, "Security and limits").
ENV NODE_ENV=production \
    STANDIN_HOST=0.0.0.0 \
    STANDIN_PORT=4010 \
    STANDIN_LOG=json
WORKDIR /app
# Owned by root and only readable by `node`: the server cannot rewrite its own code or specs.
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY specs ./specs
USER node
EXPOSE 4010
# /__health answers 503 while the store (Redis) is unreachable.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4010/__health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli.js", "serve"]
