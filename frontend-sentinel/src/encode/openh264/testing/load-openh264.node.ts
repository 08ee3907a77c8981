/**
 * Loads the OpenH264 WebAssembly module built by `tools/openh264-wasm/build.sh` in Node (tests,
 * benchmarks). Node only: this file and its users are type-checked with
 * `frontend-sentinel/tsconfig.node.json`, never bundled into the page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { OpenH264Factory, OpenH264Module } from '../openh264-module';

/**
 * The repository root: the first folder above this file (or, once bundled elsewhere, above the
 * working directory) that holds tools/openh264-wasm/paths.cjs.
 */
export function repositoryRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'tools', 'openh264-wasm', 'paths.cjs'))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find the repository root (tools/openh264-wasm/paths.cjs) above ${__dirname} or ${process.cwd()}`);
}

/** CommonJS `require` of a file chosen at run time (the build cache lives outside the clone). */
const loadCommonJs = createRequire(__filename);

interface OpenH264Paths {
  requireBuilt(): { dir: string; js: string; wasm: string };
  BUILD_COMMAND: string;
}

/** Where the build script caches its output (see tools/openh264-wasm/paths.cjs). */
export function openH264Paths(): OpenH264Paths {
  // Loaded by path at run time: tools/ is not a project, and this is Node-only test tooling.
  const file = path.join(repositoryRoot(), 'tools', 'openh264-wasm', 'paths.cjs');
  return loadCommonJs(file) as OpenH264Paths;
}

/**
 * Instantiates the module from the build cache.
 * @throws Error telling to run `bash tools/openh264-wasm/build.sh` when it is not built
 */
export async function loadOpenH264(): Promise<{ module: OpenH264Module; dir: string }> {
  const built = openH264Paths().requireBuilt();
  const factory = loadCommonJs(built.js) as OpenH264Factory;
  const wasmBinary = readFileSync(built.wasm);
  const module = await factory({
    wasmBinary,
    print: (line) => console.log(`[openh264] ${line}`),
    printErr: (line) => console.warn(`[openh264] ${line}`),
  });
  return { module, dir: built.dir };
}
