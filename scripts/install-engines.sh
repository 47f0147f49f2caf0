#!/usr/bin/env bash
# The newer Docker Engines the tests prove the core on, beside the machine's own Debian 12 docker.io (20.10):
#   trixie  Debian 13's docker.io (26.1 when written) + containerd 1.7
#   sid     Debian unstable's docker.io (28.5 when written) + containerd 2.1 (sid's runc needs glibc 2.38: the
#           machine's runc serves)
#   buildx  Debian unstable's docker-buildx (0.29 when written), the CLI plugin the build-cache tests build with
#           (it drives each dockerd's built-in BuildKit); unpacked on its own so the engines' trees stay as they are
# The tests read each daemon's real version from the engine itself, so a newer sid package is simply tested too.
# Each is DOWNLOADED and UNPACKED into the tool cache, never installed: the machine's apt state, /usr and its own
# dockerd stay as they are. apt reads a source list and package lists of our own under the cache.
#
# Idempotent and quiet; a marker holding the package versions makes a rerun a few checks long. Writes
# $CACHE/engines/engines.json, which test/support/engines.ts reads. Needs Debian's mirror (read from the
# machine's apt sources) and root only for nothing: dpkg-deb -x unpacks as any user.
#
# Env: DOCKER_PRUNE_CACHE (default ~/.cache/docker-prune).
set -euo pipefail
source "$(dirname "$0")/lib/clean-npm-env.sh"

CACHE="${DOCKER_PRUNE_CACHE:-$HOME/.cache/docker-prune}"
ROOT="$CACHE/engines"
log() { printf '[install-engines] %s\n' "$*" >&2; }
t0=$(date +%s)

mirror() {
  local uri
  uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n1)
  [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}

# unpack SUITE DIR PACKAGE... : downloads the packages from SUITE into $ROOT/DIR/debs and unpacks them into $ROOT/DIR/root
unpack() {
  local suite=$1 dir="$ROOT/$2"; shift 2
  local apt_opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o APT::Sandbox::User=root -qq)
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs"
  # our own package lists, fetched fresh each time and dropped after (sid's alone are ~70 MB)
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) $suite main" >"$dir/sources.list"
  apt-get "${apt_opts[@]}" update </dev/null
  rm -rf "$dir/debs"/*.deb "$dir/root.new"
  (cd "$dir/debs" && apt-get "${apt_opts[@]}" download "$@" </dev/null)
  mkdir -p "$dir/root.new"
  for deb in "$dir/debs"/*.deb; do dpkg-deb -x "$deb" "$dir/root.new"; done
  # A runc built for a newer glibc cannot run here; without one in the tree, the machine's /usr/sbin/runc serves.
  rm -f "$dir/root.new/usr/sbin/runc" "$dir/root.new/usr/bin/runc"
  rm -rf "$dir/root" && mv "$dir/root.new" "$dir/root"
  rm -rf "$dir/debs" "$dir/cache/archives"/*.deb "$dir/lists"
}

mkdir -p "$ROOT"
for suite in trixie sid; do
  [[ -x "$ROOT/$suite/root/usr/sbin/dockerd" && -f "$ROOT/$suite/.ok" ]] && continue
  log "$suite: downloading Debian $suite's docker.io and containerd (unpacked under $ROOT/$suite, not installed)"
  unpack "$suite" "$suite" docker.io containerd
  "$ROOT/$suite/root/usr/sbin/dockerd" --version >"$ROOT/$suite/.ok"
done

BUILDX="$ROOT/buildx/root/usr/libexec/docker/cli-plugins/docker-buildx"
if ! [[ -x $BUILDX && -f "$ROOT/buildx/.ok" ]]; then
  log "buildx: downloading Debian sid's docker-buildx (unpacked under $ROOT/buildx, not installed)"
  unpack sid buildx docker-buildx
  DOCKER_CONFIG=/nonexistent "$BUILDX" version >"$ROOT/buildx/.ok"
fi

# What the tests read: every engine they can start, with its daemon binary and the PATH its containerd comes from.
{
  echo '{'
  echo '  "bookworm": { "dockerd": "/usr/sbin/dockerd", "path": "" },'
  echo "  \"trixie\": { \"dockerd\": \"$ROOT/trixie/root/usr/sbin/dockerd\", \"path\": \"$ROOT/trixie/root/usr/bin\" },"
  echo "  \"sid\": { \"dockerd\": \"$ROOT/sid/root/usr/sbin/dockerd\", \"path\": \"$ROOT/sid/root/usr/bin\" }"
  echo '}'
} >"$ROOT/engines.json.tmp"
mv "$ROOT/engines.json.tmp" "$ROOT/engines.json"
log "ready in $(( $(date +%s) - t0 ))s: $(cat "$ROOT"/*/.ok | tr '\n' ';')"
