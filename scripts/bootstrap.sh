#!/usr/bin/env bash
# Installs everything the repo needs on a fresh machine: pnpm, dependencies, generated clients.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_INTEGRITY_KEYS=0
PNPM_VERSION=10.34.8
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "[bootstrap] installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install --prefer-offline
fi
# Generated clients (Prisma) - offline: no engine download, see packages/prisma/scripts/generate.mjs.
if [ -f packages/prisma/scripts/generate.mjs ]; then
  pnpm --filter @blueclerk/prisma run generate
fi
