#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, starts PostgreSQL and Redis if they are
# down, then runs every vitest project listed in vitest.workspace.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/services.sh
pnpm exec vitest run "$@"
