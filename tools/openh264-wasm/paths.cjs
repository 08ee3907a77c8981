// Where the OpenH264 WebAssembly build lives. One source of truth for build.sh (which writes
// it), frontend-sentinel/build.mjs (which copies it into the page) and the tests (which load it).
//
// The artefacts are cached outside the clone, in
//   ${VIGIL_OPENH264_CACHE:-${XDG_CACHE_HOME:-~/.cache}/vigil/openh264-wasm}/<debian version>-<inputs hash>/
// where <inputs hash> is the SHA-256 (first 16 hex digits) of every file that decides the
// output: build.sh, the shim in src/ and the patches in patches/. Change one and the next build
// lands in a new folder; nothing built is ever committed.
//
// CLI (used by build.sh and by Nx as a runtime input):
//   node tools/openh264-wasm/paths.cjs dir          the cache folder for the current inputs
//   node tools/openh264-wasm/paths.cjs fingerprint  "<folder name>" when built, "absent" otherwise
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Debian source package version of OpenH264 that build.sh fetches (bookworm, BSD-2-Clause). */
const OPENH264_DEBIAN_VERSION = '2.3.1+dfsg-3+deb12u2';

/** Files build.sh produces in the cache folder; the first two are what the Sentinel serves. */
const ARTEFACTS = Object.freeze(['openh264.js', 'openh264.wasm', 'LICENSE.openh264.txt', 'build-info.json']);

/** Command that builds the artefacts, for error messages. */
const BUILD_COMMAND = 'bash tools/openh264-wasm/build.sh';

const HERE = __dirname;

function inputFiles() {
  const files = [path.join(HERE, 'build.sh'), path.join(HERE, 'paths.cjs')];
  for (const dir of ['src', 'patches']) {
    const full = path.join(HERE, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full).sort()) files.push(path.join(full, name));
  }
  return files;
}

/** SHA-256 (hex, first 16 digits) over the names and bytes of every input file. */
function inputsHash() {
  const hash = createHash('sha256');
  for (const file of inputFiles()) {
    hash.update(path.relative(HERE, file) + '\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Parent folder of every cached build. */
function cacheRoot() {
  if (process.env.VIGIL_OPENH264_CACHE) return path.resolve(process.env.VIGIL_OPENH264_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'vigil', 'openh264-wasm');
}

/** The cache folder for the current inputs (may not exist yet). */
function cacheDir() {
  return path.join(cacheRoot(), `${OPENH264_DEBIAN_VERSION}-${inputsHash()}`);
}

/** The cache folder when every artefact is in it, else null. */
function builtDir() {
  const dir = cacheDir();
  return ARTEFACTS.every((name) => existsSync(path.join(dir, name))) ? dir : null;
}

/**
 * Paths of the built module for tests.
 * @throws Error saying how to build it when it is missing
 */
function requireBuilt() {
  const dir = builtDir();
  if (dir === null) {
    throw new Error(
      `The OpenH264 WebAssembly encoder is not built (looked in ${cacheDir()}). Run \`${BUILD_COMMAND}\` first ` +
        '(it installs emscripten with apt-get when missing and takes about a minute).',
    );
  }
  return { dir, js: path.join(dir, 'openh264.js'), wasm: path.join(dir, 'openh264.wasm') };
}

module.exports = {
  OPENH264_DEBIAN_VERSION,
  ARTEFACTS,
  BUILD_COMMAND,
  inputsHash,
  cacheRoot,
  cacheDir,
  builtDir,
  requireBuilt,
};

if (require.main === module) {
  const command = process.argv[2];
  if (command === 'dir') {
    process.stdout.write(cacheDir() + '\n');
  } else if (command === 'fingerprint') {
    const dir = builtDir();
    process.stdout.write((dir === null ? 'absent' : path.basename(dir)) + '\n');
  } else {
    process.stderr.write('usage: node tools/openh264-wasm/paths.cjs dir|fingerprint\n');
    process.exit(2);
  }
}
