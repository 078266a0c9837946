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
CMD ["node", "bin/nomad-mcp.js"]
