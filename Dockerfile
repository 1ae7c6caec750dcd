# Tidings in a container: docker build -t tidings . && docker run -p 8006:8006 --env-file tidings.env
#   -v tidings-data:/data --stop-timeout 20 tidings
# See docs/deployment.md. The image runs as the unprivileged "node" user and listens on 0.0.0.0:8006.

# --- build: compile TypeScript and the browser bundles, then drop dev dependencies ---
FROM node:20-slim AS build
WORKDIR /app
# Toolchain for better-sqlite3, used only when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" would build before the sources are here; native modules are built just after.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY public ./public
RUN npm run build && npm prune --omit=dev --ignore-scripts

# --- runtime ---
FROM node:20-slim
ENV NODE_ENV=production \
    TIDINGS_HOST=0.0.0.0 \
    TIDINGS_PORT=8006 \
    TIDINGS_DATABASE_URL=sqlite:/data/tidings.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/public ./public
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8006
# node:20-slim has no curl: ask /healthz with node itself.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TIDINGS_PORT || 8006) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains gracefully; give it more than TIDINGS_SHUTDOWN_TIMEOUT + 5 s (docker stop --time 20).
STOPSIGNAL SIGTERM
CMD ["node", "dist/cli.js", "serve"]
