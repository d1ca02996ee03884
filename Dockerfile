# Lifeline server image: the API, the realtime hub and the built web pages in one process.
# Not built or run in this project's CI (its machines have no Docker engine): see docs/OPERATIONS.md.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# Native modules (argon2, better-sqlite3) use their prebuilt binaries; the toolchain is the fallback.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY apps/server/package.json apps/server/
COPY apps/web/package.json apps/web/
COPY apps/helper/package.json apps/helper/
COPY packages/contracts/package.json packages/contracts/
COPY packages/client/package.json packages/client/
COPY bench/package.json bench/
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    LIFELINE_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# tsx runs the TypeScript sources as they are (no separate compile step); SIGTERM drains and exits.
CMD ["node", "--import", "tsx", "apps/server/src/main.ts"]
