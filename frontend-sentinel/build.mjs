// Builds the Sentinel page: one minified ES2022 bundle + source map + index.html.
// Usage: node frontend-sentinel/build.mjs [--watch]
// Output: dist/frontend-sentinel/{index.html, sentinel.js, sentinel.js.map}
import { build, context } from 'esbuild';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outdir = join(root, 'dist', 'frontend-sentinel');

/**
 * Size budget for sentinel.js (bytes, minified, before gzip): it runs on weak exam machines.
 * The build fails above it. Today ~150 KiB, of which ~93 KiB is zod (used by @vigil/protocol
 * to validate control messages); `esbuild --analyze` shows what grew.
 */
const BUDGET_BYTES = 192 * 1024;

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

await mkdir(outdir, { recursive: true });
await copyFile(join(here, 'src', 'index.html'), join(outdir, 'index.html'));

if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
  console.log(`watching; writing ${outdir}`);
} else {
  await build(options);
  const js = await readFile(join(outdir, 'sentinel.js'));
  const { size } = await stat(join(outdir, 'sentinel.js'));
  const gz = gzipSync(js).byteLength;
  console.log(`frontend-sentinel: dist/frontend-sentinel/sentinel.js ${(size / 1024).toFixed(1)} KiB (${(gz / 1024).toFixed(1)} KiB gzip)`);
  if (size > BUDGET_BYTES) {
    console.error(`sentinel.js is over its ${BUDGET_BYTES / 1024} KiB budget: find the heavy import with esbuild --analyze.`);
    process.exit(1);
  }
}
