// Builds the Sentinel page: one minified ES2022 bundle + source map + index.html.
// Usage: node frontend-sentinel/build.mjs [--watch]
// Output: dist/frontend-sentinel/{index.html, sentinel.js, sentinel.js.map}
//   + openh264/{openh264-worker.js, openh264.js, openh264.wasm, LICENSE.openh264.txt, build-info.json}:
//     the OpenH264 WebAssembly fallback encoder. The worker is bundled here; the wasm module is
//     copied from the cache of tools/openh264-wasm/build.sh when it has been built (else the
//     fallback is reported unavailable and WebCodecs is the only encoder).
import { build, context } from 'esbuild';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outdir = join(root, 'dist', 'frontend-sentinel');

/**
 * Size budget for sentinel.js (bytes, minified, before gzip): it runs on weak exam machines.
 * The build fails above it. Today ~195 KiB, of which ~93 KiB is zod (used by @vigil/protocol
 * to validate control messages); `esbuild --analyze` shows what grew. (196 KiB since issue 10:
 * sampling fresh frames and their capture times, capture/frame-timing.ts, took ~2.5 KiB.)
 */
const BUDGET_BYTES = 196 * 1024;

const options = {
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile: join(outdir, 'sentinel.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  tsconfig: join(here, 'tsconfig.json'),
  legalComments: 'eof',
  logLevel: 'warning',
};

/** The OpenH264 encoder Worker: a classic worker (IIFE), because it loads openh264.js with importScripts. */
const workerOptions = {
  ...options,
  entryPoints: [join(here, 'src', 'encode', 'openh264', 'openh264.worker.ts')],
  outfile: join(outdir, 'openh264', 'openh264-worker.js'),
  format: 'iife',
};

/** Copies the OpenH264 wasm build from its cache (tools/openh264-wasm/paths.cjs) next to the worker. */
async function copyOpenH264() {
  const paths = createRequire(import.meta.url)('../tools/openh264-wasm/paths.cjs');
  const dir = paths.builtDir();
  const target = join(outdir, 'openh264');
  if (dir === null) {
    for (const name of paths.ARTEFACTS) await rm(join(target, name), { force: true });
    console.warn(
      `frontend-sentinel: the OpenH264 WebAssembly fallback encoder is not built, so it is unavailable (WebCodecs still works); run \`${paths.BUILD_COMMAND}\``,
    );
    return;
  }
  await mkdir(target, { recursive: true });
  for (const name of paths.ARTEFACTS) await copyFile(join(dir, name), join(target, name));
  const { size } = await stat(join(target, 'openh264.wasm'));
  console.log(`frontend-sentinel: dist/frontend-sentinel/openh264/openh264.wasm ${(size / 1024).toFixed(1)} KiB (OpenH264 fallback)`);
}

await mkdir(outdir, { recursive: true });
await copyFile(join(here, 'src', 'index.html'), join(outdir, 'index.html'));
await copyOpenH264();

if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
  await (await context(workerOptions)).watch();
  console.log(`watching; writing ${outdir}`);
} else {
  await build(options);
  await build(workerOptions);
  const js = await readFile(join(outdir, 'sentinel.js'));
  const { size } = await stat(join(outdir, 'sentinel.js'));
  const gz = gzipSync(js).byteLength;
  console.log(`frontend-sentinel: dist/frontend-sentinel/sentinel.js ${(size / 1024).toFixed(1)} KiB (${(gz / 1024).toFixed(1)} KiB gzip)`);
  if (size > BUDGET_BYTES) {
    console.error(`sentinel.js is over its ${BUDGET_BYTES / 1024} KiB budget: find the heavy import with esbuild --analyze.`);
    process.exit(1);
  }
}
