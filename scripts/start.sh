#!/usr/bin/env bash
# `npm start`: builds Docker Prune and runs it against your Docker (or a sandbox engine with sample images):
# the CLI's preview first, then the extension — installed into VS Code when `code` is on PATH, otherwise
# served in a browser-based VS Code on 127.0.0.1 (pass --browser to prefer that). See tools/start.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-npm-packages.sh
# A sandbox engine needs Debian's docker.io when no engine of yours answers; the browser VS Code needs
# code-server (cached outside the repo). Both installs are skipped when already there.
if [[ $(id -u) -eq 0 ]]; then bash scripts/install-debian-packages.sh start; fi
command -v code >/dev/null 2>&1 && [[ " $* " != *" --browser "* ]] || bash scripts/setup-vscode-test.sh >/dev/null
npx tsc -p .
npm run --silent package >/dev/null
exec node out/tools/start.js "$@"
