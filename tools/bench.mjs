#!/usr/bin/env node
// `npm run bench`: bundles every `*/bench/*.bench.ts`, runs each in its own Node process and
// writes what they print (markdown sections with figures and ratios) into docs/benchmarks.md.
// Benchmarks measure; they never pass or fail a build.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { typescriptDecoratorsPlugin } from './esbuild-decorators.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dirs = ['libs/fmp4/bench', 'libs/protocol/bench', 'backend/bench', 'loadgen/bench', 'frontend-sentinel/bench', 'e2e/bench'];
const files = dirs.flatMap((d) =>
  existsSync(path.join(root, d)) ? readdirSync(path.join(root, d)).filter((f) => f.endsWith('.bench.ts')).map((f) => path.join(d, f)) : [],
);
const outDir = path.join(root, 'tmp/bench');

const startedAt = Date.now();
/** Seconds since `from` (Date.now ms), one decimal. */
const secondsSince = (from) => ((Date.now() - from) / 1000).toFixed(1);

// the end-to-end benchmarks run the built server, Sentinel and portal (nx caches the builds)
console.error('building (nx run-many -t build) …');
execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
});
mkdirSync(outDir, { recursive: true });

/** Bundles a TypeScript entry point into tmp/bench/<name>.cjs. */
async function bundle(file) {
  const outfile = path.join(outDir, path.basename(file).replace(/\.ts$/, '.cjs'));
  await build({
    entryPoints: [path.join(root, file)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    // ES modules out of TypeScript, as backend/build.mjs: esbuild turns them into CommonJS with
    // default-import interop (`import path from "node:path"`)
    plugins: [typescriptDecoratorsPlugin()],
    logLevel: 'warning',
  });
  return outfile;
}

// the real fragments the server benchmarks and the load generator replay: recorded once per
// machine from the real Sentinel into ~/.cache/vigil/bench/fragments (never committed)
const cache = process.env.VIGIL_BENCH_CACHE ?? path.join(os.homedir(), '.cache/vigil/bench');
const recorded = ['webcodecs', 'openh264-wasm'].flatMap((e) => [1, 5].map((fps) => path.join(cache, 'fragments', `sentinel-desktop-1920x1080-${fps}fps-${e}`)));
// `npm run bench:fragments` (--record-fragments): record them again, and nothing else
const recordOnly = process.argv.includes('--record-fragments');
if (recordOnly || recorded.some((d) => !existsSync(d))) {
  console.error('recording real fragments from the Sentinel (once per machine, about 6 minutes) …');
  execFileSync(process.execPath, [await bundle('e2e/bench/setup/record-fragments.ts')], { cwd: root, stdio: 'inherit' });
}
if (recordOnly) process.exit(0);

const sections = [];
const durations = [];
const prepareS = secondsSince(startedAt);
for (const file of files) {
  const outfile = await bundle(file);
  console.error(`running ${file} …`);
  const fileStartedAt = Date.now();
  const out = execFileSync(process.execPath, ['--expose-gc', outfile], { encoding: 'utf8', cwd: root, maxBuffer: 64 << 20 });
  durations.push(`| ${file} | ${secondsSince(fileStartedAt)} |`);
  console.error(`  ${file}: ${secondsSince(fileStartedAt)} s`);
  process.stdout.write(out);
  sections.push(out.trim());
}
const totalMin = ((Date.now() - startedAt) / 60_000).toFixed(1);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
let commit = 'unknown commit';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  if (execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '') commit += ' with uncommitted changes';
} catch {
  // not a git checkout
}
const doc = `# Benchmarks

Figures from \`npm run bench\` (do not edit by hand: the command rewrites this file).
Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.
Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}.

To reproduce: \`npm install && npm run bench\`. Each benchmark is a file \`*/bench/*.bench.ts\`.

${sections.join('\n\n')}

## How long the run took (tools/bench.mjs)

The whole \`npm run bench\` took ${totalMin} min, wall clock (goal: 30 min at most on this 2-core machine),
of which ${prepareS} s before the first benchmark (build, and recording the real fragments when the cache had none).

| benchmark | seconds |
|---|---|
${durations.join('\n')}
`;
writeFileSync(path.join(root, 'docs/benchmarks.md'), doc);
console.error('wrote docs/benchmarks.md');
