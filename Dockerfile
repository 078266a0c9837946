# Build: full install (the nest CLI and the Swagger plugin compile the service), then a slim runtime.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm ci --ignore-scripts && npm run build

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
EXPOSE 8000
USER node
# Healthy while /health answers 200 (the service runs and Nomad has a leader); 503 from /health (Nomad down)
# marks the container unhealthy. node, not curl: slim images have no curl. 127.0.0.1 works whatever HOST is
# (0.0.0.0 here, or loopback when no API key is set).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/nomad-mcp.js"]
