# The migration job, the worker and the API share one image; compose picks the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the Temporal bridge and swc ship prebuilt binaries, and the only packages
# that need a script (the embedded Postgres, for `npm start` and tests) are dev-only.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at run time from the repository root (migrations, contract templates).
COPY --from=build /app/db/migrations ./db/migrations
COPY --from=build /app/templates ./templates
USER node
EXPOSE 3000
CMD ["node", "dist/api/main.js"]
