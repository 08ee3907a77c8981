#!/usr/bin/env bash
# Installs the Debian packages the tests need (README "Tests"; .ci/run runs it too):
# Chromium, ffmpeg (ffprobe), Xvfb, emscripten for the OpenH264 fallback, and build tools.
# Only missing packages are installed (checked one by one with dpkg-query). As root it calls
# apt-get directly (CI, containers: often no sudo binary); otherwise through sudo.
set -euo pipefail

PACKAGES=(chromium ffmpeg xvfb xauth xdotool fonts-dejavu-core emscripten make patch xz-utils)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all present (${PACKAGES[*]})"
  exit 0
fi
echo "system packages: installing ${missing[*]}" >&2
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "not root and no sudo: install as root: apt-get install -y ${missing[*]}" >&2; exit 2; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
