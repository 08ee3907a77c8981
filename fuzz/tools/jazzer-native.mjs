// Makes @jazzer.js/core's prebuilt native fuzzer (libFuzzer inside a Node addon) load on
// this machine's glibc. The prebuild for linux-x64 is linked against glibc 2.38 and
// libstdc++ 3.4.32 (GCC 13) for three symbols only; Debian 12 has glibc 2.36 and GCC 12:
//   __isoc23_strtol, __isoc23_strtoul (GLIBC_2.38: C23 variants of strtol/strtoul)
//   std::ios_base_library_init()      (GLIBCXX_3.4.32: a marker that forces iostream init)
// We copy the addon to tmp/fuzz/native, mark those two version needs weak and the three
// symbols unversioned (ELF .gnu.version_r / .gnu.version, System V gABI + LSB symbol
// versioning), and build a tiny shim (LD_PRELOAD) that defines them: the first two call
// strtol/strtoul (same semantics apart from C23 binary literals, unused here), the third
// does nothing (GCC 12's libstdc++ initialises iostreams itself).
// Where the prebuild loads as it is (newer glibc), nothing is patched.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const MISSING_VERSIONS = new Set(['GLIBC_2.38', 'GLIBCXX_3.4.32']);
const SHIM_C = `#include <stdlib.h>
long __isoc23_strtol(const char *s, char **end, int base) { return strtol(s, end, base); }
unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return strtoul(s, end, base); }
void _ZSt21ios_base_library_initv(void) {}
`;

/** Path of the prebuilt addon for this platform, or null. */
export function prebuildPath() {
  const dir = path.join(path.dirname(require.resolve('@jazzer.js/fuzzer/package.json')), 'prebuilds');
  const file = path.join(dir, `fuzzer-${process.platform}-${process.arch}.node`);
  return existsSync(file) ? file : null;
}

/** True when the addon loads in a fresh Node process with the given env. */
function loads(env) {
  try {
    execFileSync(process.execPath, ['-e', "require('@jazzer.js/fuzzer')"], { env: { ...process.env, ...env }, stdio: 'pipe', cwd: path.dirname(require.resolve('@jazzer.js/core/package.json')) });
    return true;
  } catch {
    return false;
  }
}

/** Rewrites version needs in an ELF64 little-endian shared object (in memory). */
export function patchElf(buf) {
  const u16 = (o) => buf.readUInt16LE(o);
  const u32 = (o) => buf.readUInt32LE(o);
  const u64 = (o) => Number(buf.readBigUInt64LE(o));
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) throw new Error('not an ELF64 little-endian file');
  const shoff = u64(0x28);
  const shentsize = u16(0x3a);
  const shnum = u16(0x3c);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sections.push({ type: u32(o + 4), offset: u64(o + 24), size: u64(o + 32), link: u32(o + 40), info: u32(o + 44) });
  }
  const verneed = sections.find((s) => s.type === 0x6ffffffe);
  const versym = sections.find((s) => s.type === 0x6fffffff);
  const dynsym = sections.find((s) => s.type === 11);
  if (!verneed || !versym || !dynsym) throw new Error('no symbol versioning sections');
  const dynstr = sections[verneed.link];
  const str = (off) => {
    let end = dynstr.offset + off;
    while (buf[end] !== 0) end++;
    return buf.toString('latin1', dynstr.offset + off, end);
  };
  const indices = new Set();
  let vn = verneed.offset;
  for (let n = 0; n < verneed.info; n++) {
    let aux = vn + u32(vn + 8);
    for (let a = 0; a < u16(vn + 2); a++) {
      if (MISSING_VERSIONS.has(str(u32(aux + 8)))) {
        buf.writeUInt16LE(u16(aux + 4) | 0x2, aux + 4); // VER_FLG_WEAK: a missing version is not fatal
        indices.add(u16(aux + 6) & 0x7fff);
      }
      aux += u32(aux + 12);
    }
    vn += u32(vn + 12);
  }
  let patched = 0;
  for (let i = 0; i < dynsym.size / 24; i++) {
    const at = versym.offset + i * 2;
    if (indices.has(u16(at) & 0x7fff)) {
      buf.writeUInt16LE(1, at); // VER_NDX_GLOBAL: bind to any definition (the shim)
      patched++;
    }
  }
  return patched;
}

/**
 * Returns { env, addon } to run Jazzer.js here: `env` to add to the child process
 * (LD_PRELOAD of the shim, or nothing), `addon` the path of the addon to load
 * instead of the prebuild (or null). Throws with a clear message when it cannot work.
 */
export function prepareNativeFuzzer(cacheDir) {
  const prebuild = prebuildPath();
  if (!prebuild) throw new Error(`@jazzer.js/fuzzer has no prebuild for ${process.platform}-${process.arch}`);
  if (loads({})) return { env: {}, addon: null };
  mkdirSync(cacheDir, { recursive: true });
  const addon = path.join(cacheDir, 'fuzzer-patched.node');
  const shim = path.join(cacheDir, 'glibc-compat-shim.so');
  if (!existsSync(addon)) {
    const buf = readFileSync(prebuild);
    const n = patchElf(buf);
    writeFileSync(addon + '.tmp', buf);
    copyFileSync(addon + '.tmp', addon);
    if (n === 0) throw new Error('prebuild does not load and has no symbols to patch');
  }
  if (!existsSync(shim)) {
    writeFileSync(path.join(cacheDir, 'shim.c'), SHIM_C);
    execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', shim, path.join(cacheDir, 'shim.c')], { stdio: 'inherit' });
  }
  return { env: { LD_PRELOAD: shim }, addon };
}
