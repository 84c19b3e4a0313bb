# syntax=docker/dockerfile:1
# The API as a Lambda container image. Build for the function's architecture (infra/: x86_64):
#   docker build --platform linux/amd64 --provenance=false -t imagestore .

# Build: bundle the handler and collect the few runtime files (see scripts/build-lambda.mjs). npm ci runs on the
# target platform, so sharp's native packages match the function's architecture.
FROM public.ecr.aws/docker/library/node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY api/ api/
COPY scripts/build-lambda.mjs scripts/
RUN node scripts/build-lambda.mjs

# Runtime: AWS's Node.js 24 base image (runtime interface client and emulator included), plus the artifact only:
# one bundled file, Swagger UI's static files, and sharp with its native libraries. No dev dependencies.
FROM public.ecr.aws/lambda/nodejs:24
ENV NODE_ENV=production
COPY --from=build /app/dist-lambda/ ${LAMBDA_TASK_ROOT}/
CMD ["lambda.handler"]
