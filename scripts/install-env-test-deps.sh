#!/usr/bin/env bash
# Installs what the environment integration tests (test/integration/environments/) need on top of
# scripts/install-test-deps.sh: openssl (test CA and certificates for TCP+TLS), openssh-server (a private
# sshd on 127.0.0.1 for ssh:// hosts) and podman (a second real engine, Docker-compatible API on a unix
# socket). Idempotent, quiet and non-interactive: CI runs it as root with no stdin.
# It never starts or enables a service: the tests start their own sshd / dockerd / podman on loopback and
# unix sockets in temp dirs, and stop them by pid.
set -euo pipefail

# file that must exist  ->  Debian package that provides it
declare -A wanted=(
  [/usr/bin/openssl]=openssl
  [/usr/sbin/sshd]=openssh-server
  [/usr/bin/ssh-keygen]=openssh-client
  [/usr/bin/podman]=podman
  [/usr/sbin/dockerd]=docker.io
)

missing=()
for path in "${!wanted[@]}"; do
  [[ -x $path ]] || missing+=("${wanted[$path]}")
done
# podman needs an OCI runtime and conmon; Debian's podman depends on them, but check anyway.
if [[ -x /usr/bin/podman ]] && ! command -v conmon >/dev/null 2>&1 && [[ ! -x /usr/libexec/podman/conmon ]] && [[ ! -x /usr/bin/conmon ]]; then
  missing+=(conmon)
fi

((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "install-env-test-deps: need root to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Never let a package's maintainer script start a daemon (sshd on :22, podman's services): when this machine
# has no policy-rc.d of its own, use a temporary one that forbids every start, and remove it afterwards.
own_policy=
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  own_policy=1
fi
cleanup() { [[ -n $own_policy ]] && rm -f /usr/sbin/policy-rc.d; true; }
trap cleanup EXIT

log=$(mktemp)
install() { apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1 </dev/null; }
# Try without refreshing the lists first (fast when they are fresh), then with.
if ! install && ! { apt-get update -qq >>"$log" 2>&1 </dev/null && install; }; then
  echo "install-env-test-deps: apt-get failed installing: ${missing[*]}" >&2
  tail -n 30 "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
