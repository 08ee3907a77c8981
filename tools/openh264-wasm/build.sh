#!/usr/bin/env bash
# Builds the OpenH264 encoder (Cisco, BSD-2-Clause) to WebAssembly for the Sentinel's fallback
# encoder (frontend-sentinel/src/encode/openh264/). See tools/openh264-wasm/README.md.
#
#   bash tools/openh264-wasm/build.sh            build (or reuse the cache) and copy into dist/
#   bash tools/openh264-wasm/build.sh --force    rebuild even when the cache is complete
#
# What it does, deterministically:
#   1. toolchain: emscripten (Debian bookworm 3.1.6) + make + patch + xz, installed with apt-get
#      when missing (as root, or with `sudo -n`); set VIGIL_OPENH264_NO_INSTALL=1 to never install;
#   2. source: the Debian source package openh264 $OPENH264_DEBIAN_VERSION with apt-get source
#      (a deb-src entry is derived from the machine's Debian entries when missing), every file checked against the
#      SHA-256 recorded below; Debian's patches (including the CVE-2025-27091 fix) applied in
#      order, then ours (patches/*.patch, none today) if any;
#   3. build: the encoder's static libraries with emcc (ARCH=wasm USE_ASM=No, no pthreads), then
#      src/vigil_openh264.cpp linked into openh264.js + openh264.wasm (MODULARIZE, memory growth, -O3);
#   4. output: the cache folder printed by `node tools/openh264-wasm/paths.cjs dir` (outside the
#      clone) with the upstream LICENSE next to the artefacts, then copied to
#      dist/frontend-sentinel/openh264/ where the server serves the Sentinel.
#
# When the toolchain cannot be installed it says why, prints that the fallback is unavailable
# (WebCodecs still works) and exits 0, so `npm start` and `nx run-many -t build` still succeed.
set -euo pipefail

OPENH264_DEBIAN_VERSION='2.3.1+dfsg-3+deb12u2'
OPENH264_UPSTREAM_VERSION='2.3.1'
# SHA-256 of the three files of the source package (from its Sources index, checked on download).
declare -A SOURCE_SHA256=(
  ['openh264_2.3.1+dfsg-3+deb12u2.dsc']='ab0232d6f1cba01441fde3785a50923839a99bd9ce7abbe8d377e282a72315c8'
  ['openh264_2.3.1+dfsg.orig.tar.xz']='87124d0eb5d86ea78c59bab916ecdc3d9dfa752ce6bf73a609bbb98db7d96383'
  ['openh264_2.3.1+dfsg-3+deb12u2.debian.tar.xz']='8d749166ec936dd757eed56a3157167bee5ab95511d5726cc2d87ffca2069bb0'
)
ORIG_TARBALL='openh264_2.3.1+dfsg.orig.tar.xz'
DEBIAN_TARBALL='openh264_2.3.1+dfsg-3+deb12u2.debian.tar.xz'
# Emscripten release the flags below were written for (Debian bookworm's `emscripten` package).
EMSCRIPTEN_TESTED='3.1.6'
# Functions of the shim the JavaScript side calls (see src/vigil_openh264.cpp).
EXPORTED_FUNCTIONS='["_malloc","_free","_vigil_encoder_create","_vigil_encoder_last_error","_vigil_encoder_picture","_vigil_encoder_scratch","_vigil_encoder_nv12_to_i420","_vigil_encoder_rgba_to_i420","_vigil_encoder_scale_to_picture","_vigil_encoder_encode","_vigil_encoder_output","_vigil_encoder_frame_type","_vigil_encoder_force_idr","_vigil_encoder_set_rate","_vigil_encoder_destroy"]'

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DIST_DIR="$ROOT/dist/frontend-sentinel/openh264"
FORCE=0
[ "${1:-}" = '--force' ] && FORCE=1

say() { printf 'openh264-wasm: %s\n' "$*" >&2; }
trap 'say "ERROR: line $LINENO: \`$BASH_COMMAND\` failed"' ERR

unavailable() {
  printf '\n' >&2
  say "WARNING: the OpenH264 WebAssembly fallback encoder is UNAVAILABLE: $*"
  say 'The Sentinel still works in browsers with a WebCodecs H.264 encoder (Chrome/Edge 94+).'
  say "To enable the fallback, fix the above and run: bash tools/openh264-wasm/build.sh"
  printf '\n' >&2
  exit 0
}

copy_to_dist() {
  local from="$1"
  mkdir -p "$DIST_DIR"
  cp "$from/openh264.js" "$from/openh264.wasm" "$from/LICENSE.openh264.txt" "$from/build-info.json" "$DIST_DIR/"
  say "copied to ${DIST_DIR#"$ROOT/"}/ ($(stat -c %s "$DIST_DIR/openh264.wasm") bytes of wasm)"
}

command -v node >/dev/null || unavailable 'node is not on PATH (needed to locate the build cache).'
CACHE_DIR="$(node "$HERE/paths.cjs" dir)"
if [ "$FORCE" = 0 ] && [ "$(node "$HERE/paths.cjs" fingerprint)" != 'absent' ]; then
  say "up to date: $CACHE_DIR"
  copy_to_dist "$CACHE_DIR"
  exit 0
fi

# ---- 1. toolchain --------------------------------------------------------------------------
missing_tools() {
  local missing=()
  for tool in emcc em++ emar emmake make patch xz tar sha256sum; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  echo "${missing[*]:-}"
}
SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo -n'; fi
MISSING="$(missing_tools)"
if [ -n "$MISSING" ]; then
  if [ "${VIGIL_OPENH264_NO_INSTALL:-0}" = 1 ]; then
    unavailable "missing tools ($MISSING) and VIGIL_OPENH264_NO_INSTALL=1 forbids installing them (apt-get install emscripten make patch xz-utils)."
  fi
  command -v apt-get >/dev/null || unavailable "missing tools ($MISSING) and no apt-get to install them: install emscripten $EMSCRIPTEN_TESTED, make, patch and xz."
  if [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; then
    unavailable "missing tools ($MISSING); installing them needs root: sudo apt-get install -y emscripten make patch xz-utils"
  fi
  say "installing the toolchain with apt-get (emscripten is about 800 MB): missing $MISSING"
  export DEBIAN_FRONTEND=noninteractive
  if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends emscripten make patch xz-utils >/dev/null; }; then
    unavailable 'apt-get could not install emscripten make patch xz-utils (see the apt output above).'
  fi
  MISSING="$(missing_tools)"
  [ -z "$MISSING" ] || unavailable "still missing after apt-get: $MISSING"
fi
# Debian's emscripten runs its JS tools with the system node and needs Debian's node-acorn,
# which lives in /usr/share/nodejs (a NodeSource node does not look there).
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
# (sed reads all of emcc's output: `head -1` would close the pipe early, and with pipefail the
# SIGPIPE'd emcc would fail the script now and then)
EMCC_VERSION="$(emcc --version 2>/dev/null | sed -nE '1s/.* ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p')"
if [ "$EMCC_VERSION" != "$EMSCRIPTEN_TESTED" ]; then
  say "note: emcc $EMCC_VERSION, the flags were tested with $EMSCRIPTEN_TESTED"
fi

# ---- 2. source -----------------------------------------------------------------------------
CACHE_ROOT="$(dirname "$CACHE_DIR")"
mkdir -p "$CACHE_ROOT"
WORK="$(mktemp -d "$CACHE_ROOT/work.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
DOWNLOADS="$CACHE_ROOT/sources"
mkdir -p "$DOWNLOADS"

verify() { # file -> 0 when its SHA-256 is the recorded one
  local name; name="$(basename "$1")"
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "${SOURCE_SHA256[$name]}" ]
}
have_sources() {
  local name
  for name in "${!SOURCE_SHA256[@]}"; do verify "$DOWNLOADS/$name" || return 1; done
}

if ! have_sources; then
  say "fetching the Debian source package openh264 $OPENH264_DEBIAN_VERSION"
  fetch_source() { command -v apt-get >/dev/null && (cd "$DOWNLOADS" && apt-get source --download-only -qq "openh264=$OPENH264_DEBIAN_VERSION" >/dev/null 2>&1); }
  if ! fetch_source; then
    # No deb-src entry yet: derive one from the machine's own Debian `deb` entries (same mirrors,
    # same keys), so the source comes through apt like every other Debian package.
    if [ -f /etc/apt/sources.list.d/debian.sources ] && [ -w /etc/apt/sources.list.d ] || [ -n "$SUDO" ]; then
      say 'adding deb-src entries (copied from /etc/apt/sources.list.d/debian.sources) and updating apt'
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
        $SUDO tee /etc/apt/sources.list.d/vigil-deb-src.sources >/dev/null &&
        $SUDO apt-get update -qq >/dev/null 2>&1
    elif [ -f /etc/apt/sources.list ]; then
      grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $SUDO tee /etc/apt/sources.list.d/vigil-deb-src.list >/dev/null &&
        $SUDO apt-get update -qq >/dev/null 2>&1
    fi
    fetch_source && say 'fetched with apt-get source'
  else
    say 'fetched with apt-get source'
  fi
fi
for name in "${!SOURCE_SHA256[@]}"; do
  if [ ! -f "$DOWNLOADS/$name" ]; then
    unavailable "could not download $name (apt-get source failed even with deb-src entries; if Debian replaced $OPENH264_DEBIAN_VERSION, update the version and checksums in build.sh)."
  fi
  if ! verify "$DOWNLOADS/$name"; then
    actual="$(sha256sum "$DOWNLOADS/$name" | cut -d' ' -f1)"
    rm -f "$DOWNLOADS/$name"
    say "ERROR: $name has SHA-256 $actual, expected ${SOURCE_SHA256[$name]}: refusing to build from it."
    exit 1
  fi
done
say 'source checksums verified'

SRC="$WORK/openh264-$OPENH264_UPSTREAM_VERSION"
mkdir -p "$SRC"
tar -xJf "$DOWNLOADS/$ORIG_TARBALL" -C "$SRC" --strip-components=1
tar -xJf "$DOWNLOADS/$DEBIAN_TARBALL" -C "$SRC"
while IFS= read -r patch_name; do
  case "$patch_name" in '' | '#'*) continue ;; esac
  patch -d "$SRC" -p1 --quiet --forward < "$SRC/debian/patches/$patch_name"
done < "$SRC/debian/patches/series"
VIGIL_PATCHES=0
for patch_file in "$HERE"/patches/*.patch; do
  [ -e "$patch_file" ] || continue
  patch -d "$SRC" -p1 --quiet --forward < "$patch_file"
  VIGIL_PATCHES=$((VIGIL_PATCHES + 1))
done
say "patched: Debian ($(grep -cv '^#' "$SRC/debian/patches/series") patches) + Vigil ($VIGIL_PATCHES)"

# ---- 3. build ------------------------------------------------------------------------------
# Deterministic: fixed flags, sorted object lists (the Makefile's), no timestamps or paths in
# the output (-O3 without -g keeps no debug info).
JOBS="$(nproc 2>/dev/null || echo 2)"
START=$(date +%s)
say "compiling OpenH264 $OPENH264_UPSTREAM_VERSION with emcc $EMCC_VERSION ($JOBS jobs)"
(
  cd "$SRC"
  emmake make -j"$JOBS" OS=linux ARCH=wasm USE_ASM=No CC=emcc CXX=em++ AR=emar \
    USE_STACK_PROTECTOR=No BUILDTYPE=Release CFLAGS_OPT='-O3' \
    libencoder.a libprocessing.a libcommon.a
) > "$WORK/make.log" 2>&1 || { tail -40 "$WORK/make.log" >&2; say 'ERROR: compiling OpenH264 failed (log above).'; exit 1; }

OUT="$WORK/out"
mkdir -p "$OUT"
em++ -O3 -Wall -Wextra \
  -I"$SRC/codec/api/wels" \
  "$HERE/src/vigil_openh264.cpp" \
  "$SRC/libencoder.a" "$SRC/libprocessing.a" "$SRC/libcommon.a" \
  -o "$OUT/openh264.js" \
  -s MODULARIZE=1 -s EXPORT_NAME=createOpenH264 \
  -s ENVIRONMENT=web,worker,node \
  -s ALLOW_MEMORY_GROWTH=1 -s INITIAL_MEMORY=33554432 \
  -s FILESYSTEM=0 -s NODEJS_CATCH_EXIT=0 -s NODEJS_CATCH_REJECTION=0 \
  -s EXPORTED_FUNCTIONS="$EXPORTED_FUNCTIONS" -s EXPORTED_RUNTIME_METHODS='[]' \
  2> "$WORK/link.log" || { cat "$WORK/link.log" >&2; say 'ERROR: linking the shim failed.'; exit 1; }

cp "$SRC/LICENSE" "$OUT/LICENSE.openh264.txt"
{
  printf '{\n'
  printf '  "openh264": "%s",\n' "$OPENH264_UPSTREAM_VERSION"
  printf '  "debianSourcePackage": "openh264 %s",\n' "$OPENH264_DEBIAN_VERSION"
  printf '  "sourceSha256": "%s",\n' "${SOURCE_SHA256[$ORIG_TARBALL]}"
  printf '  "licence": "BSD-2-Clause (LICENSE.openh264.txt)",\n'
  printf '  "emscripten": "%s",\n' "$EMCC_VERSION"
  printf '  "inputsHash": "%s",\n' "$(node "$HERE/paths.cjs" dir | sed -E 's/.*-([0-9a-f]{16})$/\1/')"
  printf '  "wasmSha256": "%s",\n' "$(sha256sum "$OUT/openh264.wasm" | cut -d' ' -f1)"
  printf '  "jsSha256": "%s"\n' "$(sha256sum "$OUT/openh264.js" | cut -d' ' -f1)"
  printf '}\n'
} > "$OUT/build-info.json"

rm -rf "$CACHE_DIR"
mv "$OUT" "$CACHE_DIR"
say "built in $(( $(date +%s) - START )) s: $CACHE_DIR (wasm $(stat -c %s "$CACHE_DIR/openh264.wasm") bytes, js $(stat -c %s "$CACHE_DIR/openh264.js") bytes)"
copy_to_dist "$CACHE_DIR"
