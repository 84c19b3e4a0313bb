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
COPY web/ web/
COPY scripts/build-lambda.mjs scripts/build-web.mjs scripts/
RUN LAMBDA_CODE_CACHE=0 node scripts/build-lambda.mjs

# Runtime: AWS's Node.js 24 base image (runtime interface client and emulator included), plus the artifact only:
# one bundled file, Swagger UI's static files, the web gallery, and sharp with its native libraries. No dev dependencies.
FROM public.ecr.aws/lambda/nodejs:24
ENV NODE_ENV=production
# glibc gives each thread that allocates its own arena (up to 8 per core); libvips' worker threads then keep
# freed image buffers spread over many of them. Two arenas cut the soak benchmark's peak RSS by a further ~14%
# (docs/performance.md "Memory under sustained uploads").
ENV MALLOC_ARENA_MAX=2
COPY --from=build /app/dist-lambda/ ${LAMBDA_TASK_ROOT}/
# V8 code cache for the bundle (~half the cold start: no parse/compile of app.js), made here by this image's own
# node, since V8 accepts it only from the exact same build and flags; the runtime starts node with --expose-gc.
# One warm-up GET /images (disk, temp dir); fails the build if V8 would reject the result. Read-only at run time.
RUN node --expose-gc --max-http-header-size 81920 ${LAMBDA_TASK_ROOT}/warm-code-cache.cjs
CMD ["lambda.handler"]
