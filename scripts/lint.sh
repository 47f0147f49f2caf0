#!/usr/bin/env bash
# The checks that need no engine, so a violation fails fast: ESLint (layering, type imports), import cycles,
# unused exports (knip) and the formatting (prettier). Runs every check, then prints
# mocha-like "N passing / N failing" counts (one per check) for scripts/test-all.sh. Run: npm run lint
set -uo pipefail
cd "$(dirname "$0")/.."
passing=0
failing=0
check() {
  local name=$1 script=$2
  echo "--- $name (npm run $script)"
  if npm run --silent "$script"; then
    passing=$((passing + 1)); echo "  ✔ $name"
  else
    failing=$((failing + 1)); echo "  ✗ $name"
  fi
}
check "eslint" lint:eslint
check "import cycles" lint:cycles
check "unused exports" lint:unused
check "formatting" format:check
echo
echo "  $passing passing"
((failing)) && echo "  $failing failing"
((failing == 0))
