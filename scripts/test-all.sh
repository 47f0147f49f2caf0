#!/usr/bin/env bash
# Every test of Docker Prune, unattended, from a clean clone: installs what the tests need (Debian's packages;
# npm packages; into the tool cache outside the repo: Debian 13's and sid's Docker engines, a Podman 5 root,
# code-server with Node 24), builds, then runs unit tests, the engine-as-oracle integration tests on every
# engine and store, the environment tests (TLS, SSH, contexts, Podman 4 and 5 on loopback), and the VS Code
# extension-host and browser UI tests. Each test run starts and stops its own engines and servers. Ends with one
# "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-}"
export FORCE_COLOR=0
logdir=$(mktemp -d /tmp/dp-test-logs.XXXXXX)
passed=0
failed=0
failed_stages=()
started=$SECONDS

stage() { echo; echo "=== $1 ($(( SECONDS - started ))s)"; }

# Running the tests must leave every tracked file as it was: note what was already changed before they start.
tracked_changes() { git status --porcelain --untracked-files=no 2>/dev/null || true; }
changed_before=$(tracked_changes)

# Runs a test command, echoes its output, and adds mocha's "N passing / N failing" counts to the totals.
run_tests() {
  local name=$1; shift
  local log="$logdir/${name// /-}.log"
  "$@" 2>&1 | tee "$log"
  count_tests "$name" "${PIPESTATUS[0]}"
}

# Adds a finished test command's mocha "N passing / N failing" counts (from its log) to the totals.
count_tests() {
  local name=$1 status=$2
  local log="$logdir/${name// /-}.log"
  local p f
  p=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -Eo '^ *[0-9]+ passing' | awk '{s+=$1} END {print s+0}')
  f=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -Eo '^ *[0-9]+ failing' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
  if [[ $status -ne 0 ]]; then
    failed_stages+=("$name")
    [[ $f -eq 0 ]] && failed=$((failed + 1))
  fi
}

stage "install: Debian packages (one apt transaction)"
bash scripts/install-debian-packages.sh test || { echo "cannot install the Debian packages the tests need"; exit 1; }

stage "install: npm packages"
bash scripts/ensure-npm-packages.sh || { echo "npm ci failed"; exit 1; }

# Our own tools go into the tool cache (empty on CI): the newer engines, the Podman 5 root and code-server with
# Node 24. They download and build for minutes, so they run in the background while the build and the first
# stages run; each stage waits only for what it needs.
# Each background install writes its exit status to a file when it ends; waiting means waiting for that file,
# which works from any subshell.
background_install() {
  local name=$1; shift
  ( "$@" >"$logdir/install-$name.log" 2>&1; echo $? >"$logdir/install-$name.status" ) &
}
install_done() {
  local name=$1
  until [[ -s "$logdir/install-$name.status" ]]; do sleep 1; done
  [[ $(cat "$logdir/install-$name.status") == 0 ]]
}
wait_install() {
  local name=$1
  if ! install_done "$name"; then
    echo "install of $name failed:"; tail -n 30 "$logdir/install-$name.log"
    failed_stages+=("install $name"); failed=$((failed + 1))
    return 1
  fi
}
background_install engines bash scripts/install-engines.sh
background_install podman5 bash scripts/install-podman5.sh
background_install vscode bash scripts/setup-vscode-test.sh

stage "build: typecheck, compile tests, bundle extension and CLI"
npx tsc -p . && npx tsc -p src/webview || { echo "TypeScript errors"; exit 1; }
node esbuild.mjs || { echo "bundle failed"; exit 1; }

# Seconds, before the slow stages: layering and type imports (ESLint), import cycles, unused exports (knip), and
# formatting (prettier). Counted one test per check.
stage "lint: ESLint, import cycles, unused exports, formatting"
run_tests "lint" bash scripts/lint.sh

stage "unit tests"
run_tests "unit" npx mocha 'out/test/unit/**/*.test.js'

# The engine tests, the environment tests and the soak start their own, separate engines and servers: they run
# side by side (each waits for its own tools), and the environment tests' and the soak's output follow when done.
stage "integration tests (the engine as oracle on Docker 20.10, 26.1 and 28.5, graphdriver and containerd store), and beside them the environment tests (TLS, SSH, contexts, Podman 4 and 5) and the soak"
( install_done podman5 || exit 1; npx mocha --timeout 1800000 'out/test/integration/environments/**/*.test.js' >"$logdir/environments.log" 2>&1 ) &
environments_pid=$!
# The soak (minutes of churn beside CLI pruners and an extension host's auto-prune on an engine of its own;
# DP_SOAK_SECONDS, default 180) runs beside both rather than after them. It waits for code-server; should that
# install fail, it soaks with the CLI pruners alone (and the failed install is counted where VS Code waits for it).
( if install_done vscode; then ext=1; else ext=0; fi
  DP_SOAK_EXTENSION=$ext npx mocha --timeout 1800000 out/test/integration/soak/soak.test.js >"$logdir/soak.log" 2>&1 ) &
soak_pid=$!
wait_install engines && run_tests "integration" npx mocha --timeout 1800000 'out/test/integration/*.test.js'
stage "environment tests: TLS, SSH, contexts, Podman 4 and 5, several at once (loopback only)"
wait "$environments_pid"
environments_status=$?
if wait_install podman5; then
  cat "$logdir/environments.log"
  count_tests "environments" "$environments_status"
fi

stage "soak: churn beside CLI pruners in every mode and auto-prune in an extension host, checked against the engine's event stream (ran beside the above)"
wait "$soak_pid"
soak_status=$?
cat "$logdir/soak.log"
count_tests "soak" "$soak_status"

stage "VS Code: extension-host suites and browser UI tests (code-server + Chromium)"
wait_install vscode && run_tests "vscode" bash scripts/test-vscode.sh

stage "the tests left every tracked file as it was"
changed_after=$(tracked_changes)
if [[ "$changed_after" != "$changed_before" ]]; then
  echo "tests changed tracked files:"
  diff <(echo "$changed_before") <(echo "$changed_after") | sed -n 's/^> /  /p'
  failed_stages+=("tracked files changed")
  failed=$((failed + 1))
fi

echo
echo "=== done in $(( SECONDS - started ))s; logs in $logdir"
if ((${#failed_stages[@]})); then echo "failed stages: ${failed_stages[*]}"; fi
echo "$passed passed, $failed failed"
((${#failed_stages[@]} == 0 && failed == 0))
