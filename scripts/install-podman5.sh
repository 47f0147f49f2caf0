#!/usr/bin/env bash
# Builds, once, a Debian 13 ("trixie") root holding Podman 5 for the Podman 5 environment tests
# (test/support/podman5.ts runs `chroot ROOT podman system service` in it). Podman 5 needs glibc 2.38 and
# libsubid5, so it cannot run on Debian 12 as unpacked binaries; a debootstrapped root is the way.
#
#   ROOT = ${DOCKER_PRUNE_CACHE:-$HOME/.cache/docker-prune}/engines/podman5-root
#
# Idempotent: a marker file ROOT/.docker-prune-podman5 names the suite and the package versions; when it is
# there the script does nothing. Otherwise it builds into a temporary folder next to ROOT and renames it into
# place, so an interrupted build never leaves a half root that looks finished. Quiet (output only on error),
# non-interactive (CI runs it as root, no stdin, empty cache). Installs Debian's `debootstrap` if missing.
# The mirror is the first `URIs:` line of /etc/apt/sources.list.d/debian.sources (override: PODMAN5_MIRROR).
# It never starts a daemon: debootstrap itself forbids service starts inside the root while installing
# (policy-rc.d, fake start-stop-daemon), and nothing here runs podman.
set -euo pipefail

suite=trixie
cache=${DOCKER_PRUNE_CACHE:-$HOME/.cache/docker-prune}
engines=$cache/engines
root=$engines/podman5-root
marker=$root/.docker-prune-podman5

[[ -f $marker && -x $root/usr/bin/podman ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "install-podman5: need root to build $root (debootstrap, chroot)" >&2
  exit 1
fi

mirror=${PODMAN5_MIRROR:-}
if [[ -z $mirror && -r /etc/apt/sources.list.d/debian.sources ]]; then
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [[ -z $mirror && -r /etc/apt/sources.list ]]; then
  mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
fi
if [[ -z $mirror ]]; then
  echo "install-podman5: no Debian mirror found in /etc/apt/sources.list.d/debian.sources; set PODMAN5_MIRROR" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/dp-install-podman5.XXXXXX)
fail() {
  echo "install-podman5: $1" >&2
  tail -n 40 "$log" >&2
  exit 1
}

if ! command -v debootstrap >/dev/null 2>&1; then
  install() { apt-get install -y -qq --no-install-recommends debootstrap >>"$log" 2>&1 </dev/null; }
  install || { apt-get update -qq >>"$log" 2>&1 </dev/null && install; } || fail "apt-get could not install debootstrap"
fi

mkdir -p "$engines"
# One build at a time (parallel CI jobs on one cache); whoever waited finds the marker and stops.
exec 9>"$engines/.podman5.lock"
flock 9
[[ -f $marker && -x $root/usr/bin/podman ]] && { rm -f "$log"; exit 0; }

tmp=$(mktemp -d "$engines/podman5-root.building.XXXXXX")
# debootstrap mounts proc/sys inside the target while it works; a failure can leave them: unmount whatever
# is under the folder (deepest first) before deleting it, never deleting through a mount.
unmount_under() {
  local dir=$1
  awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}
cleanup() {
  local status=$?
  if [[ -n ${tmp:-} && -d $tmp ]]; then
    unmount_under "$tmp"
    rm -rf --one-file-system "$tmp"
  fi
  rm -f "$log"
  exit $status
}
trap cleanup EXIT

started=$SECONDS
# minbase + podman's own dependencies (crun, conmon, containers-common, netavark, ...). No recommends.
debootstrap --variant=minbase --include=podman,ca-certificates "$suite" "$tmp" "$mirror" >>"$log" 2>&1 </dev/null ||
  fail "debootstrap $suite from $mirror failed"
unmount_under "$tmp"
[[ -x $tmp/usr/bin/podman ]] || fail "no podman in the $suite root"
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* 2>/dev/null || true
# Mount points test/support/podman5.ts binds its own folders on (so a running test never writes into ROOT).
mkdir -p "$tmp/sock" "$tmp/var/lib/containers"

versions=$(chroot "$tmp" dpkg-query -W -f="\${Package}=\${Version}\n" podman crun conmon golang-github-containers-common libc6 2>/dev/null | grep -v "=$" || true)
{
  echo "suite=$suite"
  echo "mirror=$mirror"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - started))s"
  echo "$versions"
} >"$tmp/.docker-prune-podman5"

# Replace an unfinished or outdated root (no marker) only now that the new one is complete.
if [[ -e $root ]]; then
  unmount_under "$root"
  rm -rf --one-file-system "$root"
fi
mv "$tmp" "$root"
tmp=
