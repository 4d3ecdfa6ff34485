# The probe runner image: the continuous mode's CronJob runs it in the cluster
# (docs/continuous-evidence.md "The image", README "The probe runner image").
#
#   docker build --build-arg BASE_IMAGE=node:20-bookworm-slim@sha256:<digest> -t <registry>/<path>:<tag> .
#
# npm run bundle -- --env <name> prints this command with the environment's continuous.runner.baseImage.
# BASE_IMAGE has no default on purpose: the build fails unless it is given, and it must be pinned by
# digest (a node 20 image: the build stage needs npm, the runtime stage only node).

ARG BASE_IMAGE

# Build: install the locked dependencies (production ones: esbuild and tsx are among them) and bundle the
# probe runner into one file. Nothing of this stage reaches the image but that file.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY contracts ./contracts
COPY scripts ./scripts
COPY src ./src
RUN npm run bundle -- --out /out/probe-runner.mjs

# Runtime: node and the one bundled file; no node_modules, no npm install, no source. Runs as the
# base image's unprivileged `node` user, by number so Kubernetes can check runAsNonRoot.
FROM ${BASE_IMAGE}
WORKDIR /app
COPY --from=build /out/probe-runner.mjs /app/probe-runner.mjs
ENV NODE_ENV=production
USER 1000:1000
ENTRYPOINT ["node", "/app/probe-runner.mjs"]
CMD ["--help"]
