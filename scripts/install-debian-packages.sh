#!/usr/bin/env bash
# The Debian packages Docker Prune's two README commands need, in one apt transaction:
#   start  npm start: a sandbox engine (docker.io, busybox-static) and code-server's native build (libkrb5-dev)
#   test   npm test: the above, plus the environment servers (openssl for TLS, openssh-server for ssh://, podman),
#          debootstrap (the Podman 5 root), Chromium for the browser UI tests, and docker-registry (the CNCF
#          distribution registry the source tests push to and pull from, on loopback)
# Idempotent, quiet and non-interactive: CI runs it as root with no stdin. Nothing missing: no apt at all.
# It never starts or enables a service: while it installs, a temporary policy-rc.d forbids every start (sshd on
# :22, podman's units); the tests start their own daemons on unix sockets and loopback and stop them by pid.
set -euo pipefail
profile=${1:-test}

# file that must exist  ->  Debian package that provides it
declare -A wanted=(
  [/usr/sbin/dockerd]=docker.io
  [/usr/share/doc/busybox-static]=busybox-static
  [/usr/include/krb5.h]=libkrb5-dev
)
if [[ $profile == test ]]; then
  wanted+=(
    [/usr/bin/openssl]=openssl
    [/usr/sbin/sshd]=openssh-server
    [/usr/bin/ssh-keygen]=openssh-client
    [/usr/bin/podman]=podman
    [/usr/sbin/debootstrap]=debootstrap
    [/usr/bin/chromium]=chromium
    [/usr/bin/docker-registry]=docker-registry
  )
elif [[ $profile != start ]]; then
  echo "install-debian-packages: unknown profile '$profile' (start or test)" >&2
  exit 2
fi

missing=()
for path in "${!wanted[@]}"; do
  [[ -e $path ]] || missing+=("${wanted[$path]}")
done
# The tests put /bin/busybox into images: it must be the static build (busybox, the dynamic one, provides it too).
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
# podman needs an OCI runtime and conmon; Debian's podman depends on them, but check anyway.
if [[ $profile == test && -x /usr/bin/podman ]] && ! command -v conmon >/dev/null 2>&1 && [[ ! -x /usr/libexec/podman/conmon ]]; then
  missing+=(conmon)
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "install-debian-packages: need root to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
own_policy=
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  own_policy=1
fi
log=$(mktemp)
cleanup() {
  [[ -n $own_policy ]] && rm -f /usr/sbin/policy-rc.d
  rm -f "$log"
}
trap cleanup EXIT

install() { apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1 </dev/null; }
# Try without refreshing the lists first (fast when they are fresh), then with.
if ! install && ! { apt-get update -qq >>"$log" 2>&1 </dev/null && install; }; then
  echo "install-debian-packages: apt-get failed installing: ${missing[*]}" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
