#!/usr/bin/env bash
# The VS Code extension's tests, unattended: the extension-host suites (trusted and untrusted workspaces,
# two windows with auto-prune on one engine,
# and several kinds of environment at once: TLS dockerd, Podman, a dead host) in a real VS Code against a
# private Docker Engine loaded with a known population, then the browser UI
# tests with the packaged .vsix (screenshots in media/screenshots/). Installs what it needs (Debian's
# docker.io and busybox-static; code-server, Node 24, Chromium and playwright-core into ~/.cache).
#
#   scripts/test-vscode.sh                      # main + untrusted suites, then UI tests
#   scripts/test-vscode.sh --only main --grep "Status bar"
#   scripts/test-vscode.sh --only perf          # measure activation and a 1,000-image environment
#   scripts/test-vscode.sh --skip-ui
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-debian-packages.sh test
bash scripts/setup-vscode-test.sh >/dev/null
npx tsc -p .
node esbuild.mjs
exec node out/test/vscode/suites/run.js "$@"
