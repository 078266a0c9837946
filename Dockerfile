# Build stage: every dependency (the nest CLI and the Swagger plugin compile the service), better-sqlite3's
# native module, the build; then the dev dependencies pruned away, so that node_modules is what runs.
FROM node:20-slim AS build
# better-sqlite3 downloads a prebuilt module for this Node and libc, and compiles one when none fits
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# scripts off: "prepare" would build before the sources are here; then the one install script that is needed
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
# npm run build bundles the build into one file too (esbuild, a dev dependency): bin/ runs that (see scripts/bundle.js)
COPY scripts/bundle.js ./scripts/
RUN npm run build && npm prune --omit=dev --ignore-scripts && npm cache clean --force

# Runtime: Node, the built service and its production dependencies; no compiler, no npm work, not root.
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
# the app's files stay root's (read-only to the service); only the SQLite audit trail's folder
# (AUDIT_DB_PATH, ./data by default; unused with DATABASE_URL) is the service user's
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8000
# Healthy while /health/live answers 200: the process serves. A service whose Nomad is down stays healthy
# (restarting it would not bring Nomad back; /health/ready and /health say what is down). Where the service
# has no /health/live (404), /health decides. node, not curl: slim images have no curl. 127.0.0.1 works
# whatever HOST is (0.0.0.0 here, or loopback when no API key is set).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const s = AbortSignal.timeout(4000), get = (p) => fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + p, { signal: s }); get('/health/live').then((r) => (r.status === 404 ? get('/health') : r)).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/nomad-mcp.js"]
