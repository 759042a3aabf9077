#!/usr/bin/env bash
# The demo: a whole QuickBooks story against the bundled simulator on the embedded store. No server needed.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
bash scripts/bootstrap.sh >"$log" 2>&1 || { cat "$log" >&2; echo "[demo] bootstrap failed" >&2; exit 1; }
pnpm --filter @blueclerk/quickbooks run demo
