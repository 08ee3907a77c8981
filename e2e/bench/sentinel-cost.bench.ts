/**
 * What the Sentinel costs the student's computer (issue 10 part 3, "Sentinel cost"): CPU and
 * memory of the real Sentinel page in headed Chromium under Xvfb, capturing a 1920x1080
 * exam desktop and streaming it to the real server, at 1 and 5 fps, with WebCodecs and with
 * the OpenH264 wasm fallback. Printed as a markdown section by `npm run bench`.
 *
 * - The exam desktop (`e2e/support/exam-desktop.ts`) is drawn by a second, separate Chromium
 *   on the same X screen, so the capturing browser holds nothing but the Sentinel.
 * - CPU: Chrome DevTools Protocol `SystemInfo.getProcessInfo` on the capturing browser gives
 *   each process's CPU time; over each 10-second window, "renderer" is the Sentinel page's
 *   renderer process (the page, its encoder worker and WebCodecs' encoder all run there) and
 *   "whole browser" adds the browser process (screen capture runs there), the GPU process
 *   (software: `--disable-gpu`) and utility processes (network). Percent of one core; the
 *   figure is the median of 5 windows with (min–max), after 10 s of warm-up.
 * - Memory: the renderer's resident set (`VmRSS` of /proc/<pid>/status) and the page's JS heap
 *   (`Runtime.getHeapUsage`), at the end of the warm-up and at the end of the run, with the
 *   growth per minute between them. `VIGIL_BENCH_SENTINEL_MINUTES` makes each run longer (the
 *   issue asks for the page after one hour: `VIGIL_BENCH_SENTINEL_MINUTES=60`); by default a
 *   run is one minute, so the hour is extrapolated, and says so.
 *
 * Needs the builds (`npx nx run-many -t build`) and an X server: without DISPLAY it runs
 * itself again under `xvfb-run`.
 */
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../support/server';
import { adminEnv, createExam, createSeat, loginAdmin, type ApiSession } from '../support/auth';
import { screenCaptureLaunchOptions } from '../support/chromium';
import { EXAM_DESKTOP_PAGE } from '../support/exam-desktop';

const ROOT = path.resolve(__dirname, '../..');
const WARMUP_MS = 10_000;
const WINDOWS = 5;
const RUN_MINUTES = Number(process.env['VIGIL_BENCH_SENTINEL_MINUTES'] ?? 1);
/** `VIGIL_BENCH_SENTINEL_CONFIGS=webcodecs:1,openh264-wasm:5` measures only those (default: all four). */
const CONFIGS = process.env['VIGIL_BENCH_SENTINEL_CONFIGS']?.split(',') ?? null;
const WINDOW_MS = Math.max(10_000, (RUN_MINUTES * 60_000) / WINDOWS);

interface ProcessInfo {
  type: string;
  id: number;
  cpuTime: number;
}

async function processes(cdp: CDPSession): Promise<ProcessInfo[]> {
  const r = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: ProcessInfo[] };
  return r.processInfo;
}

/** Resident set of a process, bytes (Linux /proc). */
function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

const pct = (s: Spread) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function waitFor<T>(f: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function setFps(admin: ApiSession, streamId: string, fps: number): Promise<void> {
  const r = await admin.request('PUT', `/api/streams/${streamId}/fps`, { fps });
  if (r.status !== 200) throw new Error(`PUT fps ${fps}: ${r.status}`);
}

/** One configuration: a fresh capturing browser with only the Sentinel in it. */
async function measure(admin: ApiSession, screenBrowser: Browser, encoder: 'webcodecs' | 'openh264-wasm', fps: number): Promise<string> {
  const exam = await createExam(admin, { name: `sentinel cost ${encoder} ${fps}`, defaultFps: fps });
  const seat = await createSeat(admin, exam.id, `C-${encoder}-${fps}`);
  const browser: Browser = await chromium.launch(screenCaptureLaunchOptions({ width: 1920, height: 1080 }));
  try {
    const cdp = await browser.newBrowserCDPSession();
    const context = await browser.newContext({ viewport: null });
    const page: Page = await context.newPage();
    await page.goto(`${seat.kioskUrl}${encoder === 'openh264-wasm' ? '&encoder=wasm' : ''}`);
    await waitFor(() => page.evaluate(() => (window as unknown as { __vigilSentinel?: { state?: string } }).__vigilSentinel?.state), (s) => s === 'streaming', 'the Sentinel streaming');
    const streamId = (
      await waitFor(
        async () => (await admin.get<{ streamId: string; examId: string }[]>('/api/streams')).filter((s) => s.examId === exam.id),
        (s) => s.length === 1,
        'the stream',
      )
    )[0]!.streamId;
    await setFps(admin, streamId, fps); // the exam's rate already; set explicitly so no demand rule changes it
    // the desktop in a new window of the other browser: mapped last, so on top of the Sentinel's
    const screenContext = await screenBrowser.newContext({ viewport: null });
    await (await screenContext.newPage()).setContent(EXAM_DESKTOP_PAGE);
    const pageCdp = await context.newCDPSession(page);
    const heap = async () => ((await pageCdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const renderers = (await processes(cdp)).filter((p) => p.type === 'renderer');
    // the Sentinel's renderer is the busy one (a spare renderer may exist, idle)
    const before = await processes(cdp);
    await new Promise((r) => setTimeout(r, 2000));
    const after = await processes(cdp);
    const busiest = renderers
      .map((r) => ({ id: r.id, cpu: (after.find((p) => p.id === r.id)?.cpuTime ?? 0) - (before.find((p) => p.id === r.id)?.cpuTime ?? 0) }))
      .sort((a, b) => b.cpu - a.cpu)[0];
    if (!busiest) throw new Error('no renderer process found');
    const received = async () => (await admin.get<{ bytesReceived: number }>(`/api/streams/${streamId}/stats`)).bytesReceived;
    const bytes0 = await received();
    const rss0 = rssBytes(busiest.id);
    const heap0 = await heap();
    const t0 = Date.now();
    const rendererPct: number[] = [];
    const browserPct: number[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      const a = await processes(cdp);
      const start = performance.now();
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      const b = await processes(cdp);
      const seconds = (performance.now() - start) / 1000;
      const delta = (pid: number) => (b.find((p) => p.id === pid)?.cpuTime ?? 0) - (a.find((p) => p.id === pid)?.cpuTime ?? 0);
      rendererPct.push((100 * delta(busiest.id)) / seconds);
      browserPct.push((100 * b.reduce((sum, p) => sum + delta(p.id), 0)) / seconds);
    }
    const minutes = (Date.now() - t0) / 60_000;
    const uplinkKbps = ((await received()) - bytes0) * 8 / (minutes * 60) / 1000;
    const rss1 = rssBytes(busiest.id);
    const heap1 = await heap();
    const state = await page.evaluate(() => (window as unknown as { __vigilSentinel?: { state?: string } }).__vigilSentinel?.state);
    if (state !== 'streaming') throw new Error(`${encoder} ${fps} fps: the Sentinel stopped streaming (${state})`);
    const growthPerMin = (rss1 - rss0) / minutes;
    process.stderr.write(`sentinel cost ${encoder} ${fps} fps: renderer ${pct(spread(rendererPct))} %, browser ${pct(spread(browserPct))} %, RSS ${mib(rss0)}→${mib(rss1)} MiB\n`);
    await context.close();
    await screenContext.close();
    return (
      `| ${encoder} | ${fps} | ${pct(spread(rendererPct))} | ${pct(spread(browserPct))} | ${mib(rss0)} → ${mib(rss1)} | ` +
      `${mib(heap0)} → ${mib(heap1)} | ${(growthPerMin / 2 ** 20).toFixed(1)} | ${uplinkKbps.toFixed(0)} | ${minutes.toFixed(1)} |`
    );
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  for (const built of ['dist/backend/main.js', 'dist/frontend-sentinel/index.html']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npx nx run-many -t build\` first`);
  }
  const server = await startServer({ ...adminEnv(), VIGIL_STREAM_END_AFTER_MS: '600000' });
  // the exam desktop, drawn by its own browser on the same X screen, above the Sentinel's window
  const screenBrowser = await chromium.launch(screenCaptureLaunchOptions({ width: 1920, height: 1080 }));
  const rows: string[] = [];
  try {
    const admin = await loginAdmin(server);
    for (const encoder of ['webcodecs', 'openh264-wasm'] as const) {
      for (const fps of [1, 5]) if (CONFIGS === null || CONFIGS.includes(`${encoder}:${fps}`)) rows.push(await measure(admin, screenBrowser, encoder, fps));
    }
  } finally {
    await screenBrowser.close();
    await server.stop();
  }
  console.log(`## Sentinel cost on the student's computer (e2e/bench/sentinel-cost.bench.ts)

The real Sentinel in headed Chromium under Xvfb captures a 1920x1080 exam desktop (document
text, an answer typed at a word per second, a clock; drawn by a separate browser) and streams
it to the real server. CPU: percent of one core from Chromium's own process CPU times, median
of ${WINDOWS} windows of ${(WINDOW_MS / 1000).toFixed(0)} s with (min–max), after ${WARMUP_MS / 1000} s of warm-up; "renderer" is the
Sentinel page's process (page, encoder worker, WebCodecs' software encoder), "whole browser"
adds the browser process (screen capture), the software GPU process and utilities. Memory:
the renderer's resident set and the page's JS heap after the warm-up → at the end, MiB; growth
per minute between them; uplink: bytes the server received over the run. Over a ${RUN_MINUTES}-minute run${RUN_MINUTES < 60 ? ' (the page after one hour is the growth extrapolated; `VIGIL_BENCH_SENTINEL_MINUTES=60` measures it)' : ''}.
2 cores; the server and the desktop's browser run on the same machine.

| encoder | fps | renderer CPU % | whole browser CPU % | renderer RSS, MiB | JS heap, MiB | RSS growth, MiB/min | uplink kbit/s | minutes |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
}

if (!process.env['DISPLAY']) {
  // capture needs an X server: run this same file again under xvfb-run
  const r = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1920x1080x24', process.execPath, ...process.execArgv, process.argv[1]!], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
