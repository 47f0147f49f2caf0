#!/usr/bin/env bash
# Installs what the integration tests need (a real Docker Engine and a static busybox to
# put in generated images). Idempotent and non-interactive: CI runs it as root with no stdin.
# It never starts a daemon: test/support/dockerd.ts starts private engines per test run.
set -euo pipefail

# command-or-file  ->  Debian package that provides it
declare -A wanted=(
  [/usr/sbin/dockerd]=docker.io
  [/bin/busybox]=busybox-static
)

missing=()
for path in "${!wanted[@]}"; do
  pkg=${wanted[$path]}
  # busybox (dynamic) also provides /bin/busybox; the tests need the static one.
  if [[ $pkg == busybox-static ]]; then
    dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  elif [[ ! -x $path ]]; then
    missing+=("$pkg")
  fi
done

((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "install-test-deps: need root to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 </dev/null; then
  echo "install-test-deps: apt-get failed installing: ${missing[*]}" >&2
  tail -n 30 "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
