#!/usr/bin/env node
// `npm run loadgen -- [options]`: bundles loadgen/src/cli.ts with esbuild (as tools/bench.mjs
// does for TypeScript benchmarks; the workspace has no tsx/ts-node) into tmp/loadgen/ and runs
// it in a Node process with the same arguments. `--help` lists the options.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'tmp/loadgen/loadgen.cjs');
await build({
  entryPoints: [path.join(root, 'loadgen/src/cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  tsconfig: path.join(root, 'loadgen/tsconfig.json'),
  logLevel: 'warning',
});
const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], { cwd: process.cwd(), stdio: 'inherit' });
// Ctrl+C reaches the child too (same process group): it drains and prints its summary
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
