/**
 * What the end-to-end benchmarks (`e2e/bench/`) share: running under an X server, waiting for a
 * value, process CPU and memory of a Chromium, and the figures they print.
 */
import type { CDPSession } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Runs `main` (exit 1 with its error), under `xvfb-run` at 1920x1080 when there is no
 * `DISPLAY`: screen capture needs an X server, so the same file runs again inside one.
 */
export function runWithDisplay(main: () => Promise<void>): void {
  if (!process.env['DISPLAY']) {
    const r = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1920x1080x24', process.execPath, ...process.execArgv, process.argv[1]!], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

/**
 * Polls `f` every 100 ms until `ok` holds for its value, and returns that value.
 * @throws Error naming `what` after `timeoutMs`
 */
export async function waitForValue<T>(f: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One process of a Chromium (Chrome DevTools Protocol `SystemInfo.getProcessInfo`): `cpuTime` in seconds. */
export interface ChromiumProcess {
  type: string;
  id: number;
  cpuTime: number;
}

/** Every process of the browser of `cdp` (a browser-level CDP session) with its CPU time so far. */
export async function chromiumProcesses(cdp: CDPSession): Promise<ChromiumProcess[]> {
  return ((await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: ChromiumProcess[] }).processInfo;
}

/**
 * The renderer process that used the most CPU over `ms` milliseconds (the page under test; a
 * spare renderer may exist, idle).
 * @throws Error when the browser has no renderer
 */
export async function busiestRenderer(cdp: CDPSession, ms = 2000): Promise<number> {
  const before = await chromiumProcesses(cdp);
  await new Promise((r) => setTimeout(r, ms));
  const after = await chromiumProcesses(cdp);
  const busiest = after
    .filter((p) => p.type === 'renderer')
    .map((p) => ({ id: p.id, cpu: p.cpuTime - (before.find((q) => q.id === p.id)?.cpuTime ?? 0) }))
    .sort((a, b) => b.cpu - a.cpu)[0];
  if (!busiest) throw new Error('no renderer process found');
  return busiest.id;
}

/** Resident set of a process, bytes (Linux `/proc/<pid>/status`). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Median, min and max (a figure of several runs or windows). */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? NaN, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

/** The `q` quantile (0..1) by nearest rank, NaN without values. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

/** p50, p95, max and count of a distribution (latencies of one run). */
export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  return { n: values.length, p50: quantile(values, 0.5), p95: quantile(values, 0.95), max: quantile(values, 1) };
}

/**
 * CPU used over the next `ms` milliseconds, percent of one core: by the process `pid` and by
 * the whole browser of `cdp` (every process: browser, renderers, GPU, utilities).
 */
export async function cpuPercentOver(cdp: CDPSession, pid: number, ms: number): Promise<{ process: number; browser: number }> {
  const a = await chromiumProcesses(cdp);
  const start = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = await chromiumProcesses(cdp);
  const seconds = (performance.now() - start) / 1000;
  const delta = (id: number) => (b.find((p) => p.id === id)?.cpuTime ?? 0) - (a.find((p) => p.id === id)?.cpuTime ?? 0);
  return { process: (100 * delta(pid)) / seconds, browser: (100 * b.reduce((sum, p) => sum + delta(p.id), 0)) / seconds };
}
