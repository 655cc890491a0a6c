# The Next.js dashboard. Build context: frontend/ (see docker-compose.yml):
#   docker build -f infra/dashboard.Dockerfile frontend
# The image holds no key and no service URL: CALL_SERVICE_URL and REALTIME_URL are read
# by the server at request time and must be addresses the *browser* can reach.
FROM node:20-slim AS build
ENV NEXT_TELEMETRY_DISABLED=1 NEXT_IGNORE_INCORRECT_LOCKFILE=1
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN npx next build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 \
    CALL_SERVICE_URL=http://127.0.0.1:8000 REALTIME_URL=http://127.0.0.1:8001
WORKDIR /app
COPY --from=build /app/package.json /app/next.config.mjs ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
USER node
EXPOSE 3000
CMD ["node_modules/.bin/next", "start", "-H", "0.0.0.0", "-p", "3000"]
