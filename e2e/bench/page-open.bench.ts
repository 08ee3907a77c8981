/**
 * Page open → first frame in the proctor portal's live view (issue 10 part 4), printed as a
 * markdown section by `npm run bench`.
 *
 * The real server (dist/backend) and portal (dist/frontend-proctor) with a logged-in proctor;
 * a Sentinel in Node (real H.264 over the real protocol, 1280x720 at 1 fps, an IDR every 5 s,
 * and one at once when the server asks for it, as the browser Sentinel) streams into an exam.
 * Each trial opens `/streams/:id` in a new headless Chromium page and
 * measures, in the page, from navigation start (`performance.timeOrigin`) to the first frame
 * the `<video>` presents (`requestVideoFrameCallback` `expectedDisplayTime`, installed by an
 * init script that watches for the element, so any build of the portal is measured the same
 * way). "cold": a new browser context (empty HTTP cache); "warm": the same page opened again
 * in that context. The stages (medians over this build's trials) come from the
 * Navigation and Resource Timing entries and the portal's User Timing marks
 * (frontend-proctor `core/perf-marks.ts`).
 *
 * With `VIGIL_BENCH_PORTAL_BEFORE=<folder holding frontend-proctor/browser>` (e.g. a build of
 * an older commit) a second server serves that portal and its trials are interleaved with
 * this build's, so both rows come from the same run on the same machine.
 *
 * Goal (issue 10): page open → first frame ≤ 600 ms. Needs the builds (`npx nx run-many -t build`).
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../support/server';
import { adminEnv, createExam, createSeat, loginAdmin, sessionCookie, type ApiSession } from '../support/auth';
import { viewerLaunchOptions } from '../support/chromium';
import { encodeTestVideo } from '../player/h264-source';
import { NodeSentinel, waitFor } from '../support/node-sentinel';
import { percentiles } from '../support/bench';

const ROOT = path.resolve(__dirname, '../..');
const TRIALS = 10;

/** Installed before any script of the page: the first presented frame of the first `<video>`, page clock ms. */
function watchFirstFrame(): void {
  const w = window as unknown as { __firstFrameAt?: number };
  const watch = (video: HTMLVideoElement): void => {
    video.requestVideoFrameCallback((_now, meta) => {
      w.__firstFrameAt ??= meta.expectedDisplayTime;
    });
  };
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      for (const node of r.addedNodes) {
        const video = node instanceof HTMLVideoElement ? node : node instanceof Element ? node.querySelector('video') : null;
        if (video) {
          watch(video);
          observer.disconnect();
          return;
        }
      }
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** What one trial read from the page, ms after navigation start. */
interface Trial {
  firstFrame: number;
  stages: Record<string, number | null>;
}

/** The stages of a page load, from Navigation/Resource Timing and the portal's marks (ms since navigation start). */
function readStages(): Record<string, number | null> {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  const mark = (name: string) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? null;
  const scripts = resources.filter((r) => r.name.endsWith('.js'));
  const firstFrame = (window as unknown as { __firstFrameAt?: number }).__firstFrameAt ?? Infinity;
  const me = resources.find((r) => new URL(r.name).pathname === '/api/auth/me');
  const stream = resources.find((r) => /^\/api\/streams\/[^/]+$/.test(new URL(r.name).pathname));
  const beforeFirstFrame = scripts.filter((r) => r.responseEnd <= firstFrame);
  return {
    'document received': nav ? nav.responseEnd : null,
    'scripts before the first frame: count': beforeFirstFrame.length,
    'scripts before the first frame: count asked of the server': beforeFirstFrame.filter((r) => r.transferSize > 0).length,
    'scripts before the first frame: last loaded': beforeFirstFrame.length ? Math.max(...beforeFirstFrame.map((r) => r.responseEnd)) : null,
    'DOMContentLoaded': nav ? nav.domContentLoadedEventEnd : null,
    'session check sent (GET /api/auth/me)': me ? me.startTime : null,
    'session check answered': me ? me.responseEnd : null,
    'proctor WebSocket open': mark('vigil:socket-open'),
    'player created': mark('vigil:player-created'),
    'subscribed (server answered)': mark('vigil:subscribed'),
    'stream details answered (GET /api/streams/:id)': stream ? stream.responseEnd : null,
    'first frame on screen': Number.isFinite(firstFrame) ? firstFrame : null,
  };
}

async function openOnce(page: Page, url: string): Promise<Trial> {
  await page.goto(url, { waitUntil: 'commit' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const at = await page.evaluate(() => (window as unknown as { __firstFrameAt?: number }).__firstFrameAt ?? null);
    if (at !== null) return { firstFrame: at, stages: await page.evaluate(readStages) };
    if (Date.now() > deadline) throw new Error(`${url}: no frame presented within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One server with a portal build, an exam, a streaming seat and a logged-in admin. */
interface Setup {
  label: string;
  server: RunningServer;
  admin: ApiSession;
  sentinel: NodeSentinel;
  url: string;
  cold: Trial[];
  warm: Trial[];
}

async function setUp(label: string, webDir: string | null): Promise<Setup> {
  const server = await startServer({ ...adminEnv(), VIGIL_STREAM_END_AFTER_MS: '600000', ...(webDir ? { VIGIL_WEB_DIR: webDir } : {}) });
  const admin = await loginAdmin(server);
  const exam = await createExam(admin, { name: `page open ${label}`, defaultFps: 1 });
  const seat = await createSeat(admin, exam.id, 'P-1');
  const video = encodeTestVideo({ width: 1280, height: 720, fps: 1, frames: 10, gop: 5, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  const sentinel = new NodeSentinel({ baseUrl: server.baseUrl, token: seat.token, examId: exam.id, seatId: seat.id, video, fps: 1, answerKeyframeRequests: true });
  sentinel.start();
  await waitFor(() => sentinel.lastAcked >= 3 && sentinel.streamId !== null, `${label}: the Sentinel streaming`, 30_000);
  return { label, server, admin, sentinel, url: `${server.baseUrl}/streams/${sentinel.streamId}`, cold: [], warm: [] };
}

async function trial(browser: Browser, s: Setup): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  try {
    await context.addCookies([sessionCookie(s.admin)]);
    await context.addInitScript(watchFirstFrame);
    const cold = await context.newPage();
    s.cold.push(await openOnce(cold, s.url));
    await cold.close();
    const warm = await context.newPage();
    s.warm.push(await openOnce(warm, s.url));
    await warm.close();
  } finally {
    await context.close();
  }
}

const row = (s: Setup, cache: string, trials: Trial[]) => {
  const st = percentiles(trials.map((t) => t.firstFrame));
  return `| ${s.label} | ${cache} | ${st.p50.toFixed(0)} | ${st.p95.toFixed(0)} | ${st.max.toFixed(0)} | ${st.n} |`;
};

/** One row per stage, a column per build and cache state (medians). */
function stageRows(setups: Setup[]): string[] {
  const names = Object.keys(setups[0]?.cold[0]?.stages ?? {});
  const median = (trials: Trial[], name: string) => {
    const values = trials.map((t) => t.stages[name]).filter((v): v is number => v !== null && v !== undefined);
    if (values.length === 0) return '—';
    const p50 = percentiles(values).p50;
    return name.includes(': count') ? p50.toFixed(0) : `${p50.toFixed(0)} ms`;
  };
  return names.map((name) => `| ${name} | ${setups.flatMap((s) => [median(s.cold, name), median(s.warm, name)]).join(' | ')} |`);
}

async function main(): Promise<void> {
  for (const built of ['dist/backend/main.js', 'dist/frontend-proctor/browser/index.html']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npx nx run-many -t build\` first`);
  }
  const beforeDir = process.env['VIGIL_BENCH_PORTAL_BEFORE'];
  if (beforeDir && !existsSync(path.join(beforeDir, 'frontend-proctor/browser/index.html'))) {
    throw new Error(`VIGIL_BENCH_PORTAL_BEFORE=${beforeDir} holds no frontend-proctor/browser/index.html`);
  }
  const setups: Setup[] = [];
  let browser: Browser | null = null;
  try {
    setups.push(await setUp('this build', null));
    if (beforeDir) setups.push(await setUp(`before (${process.env['VIGIL_BENCH_PORTAL_BEFORE_LABEL'] ?? path.basename(beforeDir)})`, path.resolve(beforeDir)));
    browser = await chromium.launch(viewerLaunchOptions(true));
    for (const s of setups) await trial(browser, s); // warm-up: the server's and Chromium's first-use costs, not counted
    for (const s of setups) {
      s.cold = [];
      s.warm = [];
    }
    for (let i = 0; i < TRIALS; i++) {
      for (const s of setups) await trial(browser, s);
    }
    for (const s of setups) {
      process.stderr.write(`page open → first frame, ${s.label}: cold ${JSON.stringify(percentiles(s.cold.map((t) => t.firstFrame)))}, warm ${JSON.stringify(percentiles(s.warm.map((t) => t.firstFrame)))}\n`);
    }
  } finally {
    await browser?.close();
    for (const s of setups) {
      s.sentinel.stop();
      await s.server.stop();
    }
  }
  console.log(`## Page open → first frame (e2e/bench/page-open.bench.ts)

The live view \`/streams/:id\` opened in headless Chromium by a logged-in proctor while a Sentinel
(Node, real H.264, 1280x720, 1 fps, an IDR every 5 s and one at once when the server asks, as the
browser Sentinel does) streams: navigation start → the first
frame the \`<video>\` presents (\`requestVideoFrameCallback\`), ms. cold: new browser context
(empty HTTP cache); warm: the page opened again in it. ${TRIALS} trials each, after one warm-up${
    setups.length > 1 ? '; the builds\' trials interleaved in one run' : ''
  }.
Goal: ≤ 600 ms.

| portal | cache | p50 | p95 | max | n |
|---|---|---|---|---|---|
${setups.flatMap((s) => [row(s, 'cold', s.cold), row(s, 'warm', s.warm)]).join('\n')}

Where the time goes (median ms after navigation start; the marks are the portal's own, "—" where a build has none):

| stage | ${setups.map((s) => `${s.label} cold | ${s.label} warm`).join(' | ')} |
|---|${setups.map(() => '---|---|').join('')}
${stageRows(setups).join('\n')}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
