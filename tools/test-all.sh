#!/usr/bin/env bash
# `npm test`: every test of the workspace, in the order that fails fastest.
# Needs Debian's chromium, ffmpeg (ffprobe) and xvfb (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in chromium ffprobe ffmpeg xvfb-run; do
  command -v "$tool" >/dev/null || { echo "npm test needs '$tool': sudo apt-get install -y chromium ffmpeg xvfb" >&2; exit 2; }
done

export NX_DAEMON=false NX_NO_CLOUD=true
echo "== lint and typecheck"
npx nx run-many -t lint typecheck --outputStyle=static
echo "== unit and integration tests (Jest)"
npx nx run-many -t test --parallel=1 --outputStyle=static
echo "== build"
npx nx run-many -t build --outputStyle=static
echo "== end-to-end tests (Playwright, real Chromium under Xvfb)"
npx nx run e2e:e2e --outputStyle=static
