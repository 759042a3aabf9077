#!/usr/bin/env bash
# The demo: a whole QuickBooks story against the bundled simulator on the embedded store. No server needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh >/dev/null
pnpm --filter @blueclerk/quickbooks run demo
