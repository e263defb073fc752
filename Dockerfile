# onramp worker image. tsx runs the TypeScript sources directly, as in development, so there is no build stage.
FROM node:20-slim

WORKDIR /app

# Dependencies first so source edits do not invalidate the npm layer. @temporalio/core-bridge ships prebuilt
# glibc binaries, which is why this is the Debian-based slim image and not Alpine.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src

ENV NODE_ENV=production \
    TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default

# The worker only makes outbound connections (Temporal, Salesforce); nothing needs root.
USER node

CMD ["npx", "tsx", "src/worker.ts"]
