#!/usr/bin/env bash
# `npm test`: every test of the workspace, in the order that fails fastest, then one closing
# line "N passed, N failed" summed over Jest and Playwright.
# Needs Debian's chromium, ffmpeg (ffprobe) and xvfb (see README.md).
set -uo pipefail
cd "$(dirname "$0")/.."

for tool in chromium ffprobe ffmpeg xvfb-run; do
  command -v "$tool" >/dev/null || { echo "npm test needs '$tool': run bash tools/install-system-packages.sh" >&2; exit 2; }
done

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
run() {
  echo "== $1"
  shift
  "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || status=$rc
  return "$rc"
}

run "lint and typecheck" npx nx run-many -t lint typecheck --outputStyle=static &&
  run "unit and integration tests (Jest)" npx nx run-many -t test --parallel=1 --outputStyle=static &&
  run "build" npx nx run-many -t build --outputStyle=static &&
  run "end-to-end tests (Playwright, real Chromium under Xvfb)" npx nx run e2e:e2e --outputStyle=static

node tools/summarise-tests.mjs < "$log"
exit "$status"
