#!/usr/bin/env bash
# Installs the npm packages when node_modules is missing or package-lock.json changed since the last
# install here (a stamp of the lock file's hash decides: npm ci wipes node_modules, so never run it needlessly).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/clean-npm-env.sh
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules ]] || [[ "$(cat node_modules/.docker-prune-lock 2>/dev/null)" != "$lock_sum" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.docker-prune-lock
fi
