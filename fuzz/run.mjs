#!/usr/bin/env node
// Coverage-guided fuzzing of Vigil's parsers and the server's Sentinel message handling with
// Jazzer.js (libFuzzer in Node). Every target in fuzz/targets/*.fuzz.ts runs in turn, on one
// core, starting from its committed seed corpus fuzz/corpus/<target>/ (which also holds every
// input that once failed: libFuzzer replays the whole corpus first, so they are regression
// tests). New interesting inputs go to tmp/fuzz/corpus/<target>/ (not committed), a failing
// input to tmp/fuzz/artifacts/<target>/.
//
//   node fuzz/run.mjs                 smoke: every target 4 s + start-up (CI: `nx run fuzz:test`, ~45 s)
//   node fuzz/run.mjs --long          long campaign: 20 min in all, 180-300 s per target (`npm run fuzz`)
//   node fuzz/run.mjs --seconds 60 --target fmp4-fragment --target protocol-media
//   node fuzz/run.mjs --runs 100000   a number of inputs per target instead of a time
//
// Prints, per target: inputs executed, failures (crash, hang, untyped error), exec/s, and
// writes the same as JSON to tmp/fuzz/summary.json. Exits 1 on any failure.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareNativeFuzzer } from './tools/jazzer-native.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'tmp/fuzz');

/** Per-target settings: async targets run without --sync; dictionaries help the mutator. */
/** `long`: seconds in the long campaign (20 min in all, more for the faster parsers). */
const TARGETS = {
  'fmp4-fragment': { dict: 'fmp4.dict', maxLen: 4096, long: 300 },
  'fmp4-init-segment': { dict: 'fmp4.dict', maxLen: 4096, long: 300 },
  'protocol-media': { dict: 'fmp4.dict', maxLen: 4096, long: 240 },
  'protocol-control': { dict: 'control.dict', maxLen: 4096, long: 180 },
  'sentinel-session': { async: true, maxLen: 2048, long: 180 },
};

function parseArgs(argv) {
  const opts = { seconds: 4, long: false, runs: 0, targets: [], timeoutMs: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--long') opts.long = true;
    else if (a === '--smoke') opts.seconds = 4;
    else if (a === '--seconds') {
      opts.seconds = Number(argv[++i]);
      opts.long = false;
    }
    else if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--target') opts.targets.push(argv[++i]);
    else if (a === '--timeout-ms') opts.timeoutMs = Number(argv[++i]);
    else throw new Error(`unknown argument ${a} (see the header of fuzz/run.mjs)`);
  }
  for (const t of opts.targets) if (!TARGETS[t]) throw new Error(`unknown target ${t}; targets: ${Object.keys(TARGETS).join(', ')}`);
  if (opts.targets.length === 0) opts.targets = Object.keys(TARGETS);
  return opts;
}

async function bundle(target) {
  const outfile = path.join(work, 'build', `${target}.cjs`);
  await build({
    entryPoints: [path.join(root, 'fuzz/targets', `${target}.fuzz.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}

/** Runs one target; resolves with its figures parsed from libFuzzer's final stats. */
function runTarget(target, file, opts, native) {
  const cfg = TARGETS[target];
  const corpus = path.join(work, 'corpus', target);
  const seeds = path.join(root, 'fuzz/corpus', target);
  const artifacts = path.join(work, 'artifacts', target) + path.sep;
  for (const d of [corpus, artifacts, path.join(work, 'logs')]) mkdirSync(d, { recursive: true });
  const libFuzzer = [
    opts.runs > 0 ? `-runs=${opts.runs}` : `-max_total_time=${opts.long ? cfg.long : opts.seconds}`,
    `-max_len=${cfg.maxLen}`,
    `-artifact_prefix=${artifacts}`,
    '-print_final_stats=1',
    '-rss_limit_mb=2048',
  ];
  if (cfg.dict) libFuzzer.push(`-dict=${path.join(root, 'fuzz/dict', cfg.dict)}`);
  const args = [
    '-r',
    path.join(root, 'fuzz/tools/use-addon.cjs'),
    path.join(path.dirname(require.resolve('@jazzer.js/core/package.json')), 'dist/cli.js'),
    file,
    corpus,
    ...(existsSync(seeds) ? [seeds] : []),
    `--timeout=${opts.timeoutMs}`,
    ...(cfg.async ? [] : ['--sync']),
    '--',
    ...libFuzzer,
  ];
  const env = { ...process.env, ...native.env, ...(native.addon ? { VIGIL_JAZZER_ADDON: native.addon } : {}) };
  const log = createWriteStream(path.join(work, 'logs', `${target}.log`));
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (chunk) => {
      out += chunk;
      if (out.length > 1 << 20) out = out.slice(-(1 << 19));
      log.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code, signal) => {
      log.end();
      const stat = (name) => Number((out.match(new RegExp(`stat::${name}:\\s+(\\d+)`)) ?? [])[1] ?? NaN);
      const inputs = stat('number_of_executed_units');
      const finding = code !== 0 || /==\d+== ERROR|Uncaught Exception|Timeout|deadly signal/.test(out);
      const artifact = (out.match(/Test unit written to (\S+)/) ?? [])[1] ?? null;
      resolve({
        target,
        inputs: Number.isFinite(inputs) ? inputs : 0,
        execPerSec: stat('average_exec_per_sec') || 0,
        newUnits: stat('new_units_added') || 0,
        peakRssMb: stat('peak_rss_mb') || 0,
        seconds: (Date.now() - started) / 1000,
        failures: finding ? 1 : 0,
        exitCode: code,
        signal,
        artifact,
        firstError: finding ? (out.match(/(Error|Exception|Timeout)[^\n]*\n(?:[^\n]*\n){0,6}/) ?? [''])[0] : null,
      });
    });
  });
}

const opts = parseArgs(process.argv.slice(2));
mkdirSync(path.join(work, 'build'), { recursive: true });
const native = prepareNativeFuzzer(path.join(work, 'native'));
const results = [];
for (const target of opts.targets) {
  const file = await bundle(target);
  const r = await runTarget(target, file, opts, native);
  results.push(r);
  console.log(
    `${target.padEnd(18)} inputs ${String(r.inputs).padStart(10)}  failures ${r.failures}  exec/s ${String(r.execPerSec).padStart(6)}  ` +
      `new corpus units ${r.newUnits}  ${r.seconds.toFixed(0)} s` +
      (r.failures ? `\n  FAILED (exit ${r.exitCode}${r.signal ? ' ' + r.signal : ''}), input: ${r.artifact ?? 'see log'}, log: tmp/fuzz/logs/${target}.log\n  ${r.firstError}` : ''),
  );
}
const total = results.reduce((n, r) => n + r.inputs, 0);
const failures = results.reduce((n, r) => n + r.failures, 0);
console.log(`total inputs ${total}, failures ${failures}`);
writeFileSync(
  path.join(work, 'summary.json'),
  JSON.stringify({ at: new Date().toISOString(), node: process.version, mode: opts.runs > 0 ? `${opts.runs} runs` : opts.long ? 'long' : `${opts.seconds} s per target`, total, failures, results }, null, 2),
);
process.exit(failures > 0 ? 1 : 0);
