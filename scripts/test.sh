#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, starts PostgreSQL and Redis if they are
# down, then runs every vitest project listed in vitest.workspace.ts and prints a one-line total.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/services.sh
report="$(mktemp -d)/vitest.json"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  ' "$report"
fi
exit "$status"
