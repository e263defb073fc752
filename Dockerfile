# onramp worker image: TypeScript is compiled and the workflows bundled at build time, so the running worker
# neither transpiles nor runs webpack (faster starts, less resident memory).
# @temporalio/core-bridge ships prebuilt glibc binaries, which is why this is Debian slim and not Alpine.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The local org is a development workspace: the build needs its types (onramp dev loads it on demand), the
# image does not get it.
COPY packages/local-org/package.json ./packages/local-org/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/local-org/src ./packages/local-org/src
COPY src ./src
RUN npm run build

FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY deploy/worker.env ./deploy/worker.env

# Everything the worker keeps (the encrypted secret store when secrets.backend is file, runbooks, audit reports,
# the codec key file) lives in one directory owned by the user it runs as, declared a volume so it outlives the
# container. /app stays root-owned and read-only to the worker.
RUN mkdir -p /var/lib/onramp && chown node:node /var/lib/onramp && chmod 700 /var/lib/onramp
ENV NODE_ENV=production \
    TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default \
    ONRAMP_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    ONRAMP_SECRETS_FILE=/var/lib/onramp/secrets.json \
    ONRAMP_RUNBOOK_DIR=/var/lib/onramp/runbooks \
    ONRAMP_AUDIT_DIR=/var/lib/onramp/audits \
    ONRAMP_CODEC_KEY_FILE=/var/lib/onramp/codec-keys.json
VOLUME ["/var/lib/onramp"]

# The worker only makes outbound connections (Temporal, Salesforce); nothing needs root.
USER node

# Missing or wrong configuration (Salesforce settings, the secrets key) stops the worker at once with one line
# and exit status 78, before it connects anywhere.

# deploy/worker.env holds the measured V8 heap settings (NODE_OPTIONS); a NODE_OPTIONS set on the container wins.
CMD ["node", "--env-file=deploy/worker.env", "dist/worker.js"]
