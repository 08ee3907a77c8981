/**
 * The exam wall with 100 live tiles (issue 11 part 1), printed as a markdown section by
 * `npm run bench`: can a proctor's browser on this machine keep 100 students at 1 fps?
 *
 * - The real server (dist/backend) and 100 Sentinels in Node (`e2e/support/node-sentinel.ts`:
 *   the real protocol over real WebSockets) replaying the real Sentinel's 1080p frames of the
 *   exam desktop (`npm run bench:fragments`; an IDR every 25 s), one exam of 100 seats at 1 fps.
 * - The portal's wall (`/exams/:id/wall`) in Chromium with a window tall enough for every tile
 *   to be on screen (so all 100 decode: tiles scrolled out of view would not), WebCodecs
 *   `VideoDecoder` per tile.
 * - Every 10 s after a 20 s warm-up, for `VIGIL_BENCH_WALL_MINUTES` (default 3: the decoders' frame pools fill for about 2 minutes, and the last minute shows the plateau (2 minutes ended inside the growth: 208 MiB/min in the second half, against 24 at 3 minutes); `npm run bench` as a whole must fit in 30; the issue asks
 *   for 30): CPU of the wall's renderer and of the whole browser (Chrome DevTools Protocol
 *   `SystemInfo.getProcessInfo`, percent of one core), the page's JS heap and the renderer's
 *   resident set, and per tile: frames painted, frames dropped by the tile gate, and how far
 *   behind its picture is (now − capture time of the frame on its canvas).
 *
 * Goal: smooth: no tile more than 2 s behind, no growth. Needs the builds (`npx nx run-many -t
 * build`) and the recorded fragments (`npm run bench` records them when missing).
 */
import { chromium } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../support/server';
import { adminEnv, createExam, createSeat, loginAdmin, sessionCookie } from '../support/auth';
import { viewerLaunchOptions } from '../support/chromium';
import { NodeSentinel, waitFor } from '../support/node-sentinel';
import { loadRecordedVideo, recordedFragmentsDir } from '../support/recorded-video';
import { busiestRenderer, cpuPercentOver, quantile, rssBytes, spread, type Spread } from '../support/bench';

const ROOT = path.resolve(__dirname, '../..');
const TILES = Number(process.env['VIGIL_BENCH_WALL_TILES'] ?? 100);
const FPS = 1;
const MINUTES = Number(process.env['VIGIL_BENCH_WALL_MINUTES'] ?? 3);
const WARMUP_MS = 20_000;
const SAMPLE_MS = 10_000;

/** What a tile shows (its `data-*` attributes). */
interface TileSample {
  painted: number;
  dropped: number;
  superseded: number;
  capturedAtMs: number | null;
  /** Times the tile joined its stream again because its picture stopped (wall-tile.component.ts). */
  resyncs: number;
}

const fmt = (s: Spread, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  for (const built of ['dist/backend/main.js', 'dist/frontend-proctor/browser/index.html']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npx nx run-many -t build\` first`);
  }
  const dir = recordedFragmentsDir(FPS);
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run \`npm run bench:fragments\` first`);
  const video = loadRecordedVideo(dir);
  // load shedding off: on this 2-core machine the browser decoding 100 streams and the server share
  // the cores, and the server would lower the streams to 0.2 fps; this measures the wall at 1 fps
  const server = await startServer({ ...adminEnv(), VIGIL_STREAM_END_AFTER_MS: '600000', VIGIL_LOAD_SHEDDING: 'off' });
  const sentinels: NodeSentinel[] = [];
  const browser = await chromium.launch(viewerLaunchOptions());
  try {
    const admin = await loginAdmin(server);
    const exam = await createExam(admin, { name: 'Wall bench', defaultFps: FPS });
    for (let i = 1; i <= TILES; i++) {
      const seat = await createSeat(admin, exam.id, `B-${String(i).padStart(3, '0')}`, `Student ${String(i).padStart(3, '0')}`);
      // answering keyframe requests at once from the last frame, as the browser Sentinel does
      sentinels.push(new NodeSentinel({ baseUrl: server.baseUrl, token: seat.token, examId: exam.id, seatId: seat.id, video, fps: FPS, answerKeyframeRequests: true }));
    }
    // students do not start in the same millisecond: spread over one frame interval
    for (const [i, s] of sentinels.entries()) setTimeout(() => s.start(), (i * 1000) / FPS / TILES);
    await waitFor(() => sentinels.every((s) => s.lastAcked >= 2), 'every Sentinel acknowledged', 60_000);

    const context = await browser.newContext({ viewport: { width: 1920, height: 4000 } });
    await context.addCookies([sessionCookie(admin)]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const openedAt = Date.now();
    await page.goto(`${server.baseUrl}/exams/${exam.id}/wall`);
    const tiles = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('vigil-wall-tile button.tile')].map((b) => ({
          painted: Number(b.getAttribute('data-painted') ?? 0),
          dropped: Number(b.getAttribute('data-dropped') ?? 0),
          superseded: Number(b.getAttribute('data-superseded') ?? 0),
          capturedAtMs: b.getAttribute('data-captured-at') ? Number(b.getAttribute('data-captured-at')) : null,
          resyncs: Number(b.getAttribute('data-resyncs') ?? 0),
        })),
      );
    // wall open → every tile painted (tiles join at their stream's next IDR: up to a GOP, 25 s; a tile
    // the server gave up on as too slow subscribes again a few seconds later)
    let allPaintedS: number | null = null;
    while (Date.now() - openedAt < 150_000) {
      if ((await tiles()).filter((t) => t.painted > 0).length === TILES) {
        allPaintedS = (Date.now() - openedAt) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (allPaintedS === null) await page.screenshot({ path: path.join(ROOT, 'tmp/bench/exam-wall.png') });
    await new Promise((r) => setTimeout(r, WARMUP_MS));

    const cdp = await browser.newBrowserCDPSession();
    const pageCdp = await context.newCDPSession(page);
    const heap = async () => ((await pageCdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    const renderer = await busiestRenderer(cdp); // the wall's

    const rendererPct: number[] = [];
    const browserPct: number[] = [];
    const lags: number[] = [];
    const rssSamples: { atMs: number; bytes: number }[] = [];
    let worstLagMs = 0;
    const startHeap = await heap();
    const startRss = rssBytes(renderer);
    const first: TileSample[] = await tiles();
    const t0 = Date.now();
    while (Date.now() - t0 < MINUTES * 60_000) {
      const cpu = await cpuPercentOver(cdp, renderer, SAMPLE_MS);
      rendererPct.push(cpu.process);
      rssSamples.push({ atMs: Date.now(), bytes: rssBytes(renderer) });
      browserPct.push(cpu.browser);
      const at = Date.now();
      for (const t of await tiles()) {
        if (t.capturedAtMs === null) continue;
        const lag = at - t.capturedAtMs;
        lags.push(lag);
        worstLagMs = Math.max(worstLagMs, lag);
      }
    }
    const minutes = (Date.now() - t0) / 60_000;
    // growth over the second half of the run alone: decoders and buffers filling up after the
    // join show in the first half; a leak goes on in the second
    const mid = rssSamples[Math.floor(rssSamples.length / 2)] ?? { atMs: t0, bytes: startRss };
    const lastRss = rssSamples[rssSamples.length - 1] ?? mid;
    const secondHalfGrowth = lastRss.atMs > mid.atMs ? (lastRss.bytes - mid.bytes) / 2 ** 20 / ((lastRss.atMs - mid.atMs) / 60_000) : 0;
    const last: TileSample[] = await tiles();
    const endHeap = await heap();
    const endRss = rssBytes(renderer);
    const painted = last.reduce((n, t) => n + t.painted, 0) - first.reduce((n, t) => n + t.painted, 0);
    const dropped = last.reduce((n, t) => n + t.dropped, 0) - first.reduce((n, t) => n + t.dropped, 0);
    const superseded = last.reduce((n, t) => n + t.superseded, 0) - first.reduce((n, t) => n + t.superseded, 0);
    const resyncs = last.reduce((n, t) => n + t.resyncs, 0) - first.reduce((n, t) => n + t.resyncs, 0);
    const joinResyncs = first.reduce((n, t) => n + t.resyncs, 0);
    const paintMethod = await page.evaluate(() => document.querySelector('vigil-wall-tile button.tile')?.getAttribute('data-paint-method') ?? 'unknown');
    const expected = TILES * FPS * minutes * 60;
    if (errors.length > 0) process.stderr.write(`wall bench: page errors: ${errors.join('; ')}\n`);
    console.log(`## Exam wall: ${TILES} live tiles at ${FPS} fps (e2e/bench/exam-wall.bench.ts)

The real server and ${TILES} Sentinels in Node replaying the real Sentinel's 1080p frames of the exam
desktop (one exam, ${FPS} fps, an IDR every 25 s; all started within one second, so their IDRs come
together, and each answers a keyframe request at once as the browser Sentinel does); the portal's wall in headless Chromium (software
decoding, \`--disable-gpu\`) with every tile on screen, each decoded by WebCodecs. After a ${WARMUP_MS / 1000} s
warm-up, ${minutes.toFixed(1)} minutes in windows of ${SAMPLE_MS / 1000} s: CPU in percent of one core (median of the windows,
min–max), the page's JS heap and the renderer's resident set at the start → end, and every tile's
picture age (now − capture time of the frame on its canvas) sampled each window; the picture age
includes the frame interval (a frame stays until the next, 1 s at 1 fps). "Joined again": tiles whose
picture stopped for 6 s and that subscribed again for a fresh IDR (\`frontend-proctor/src/app/wall/tile-watchdog.ts\`),
in the measured window (before it, while the wall opened). Goal: no tile more
than 2 s behind, no growth.${MINUTES < 30 ? ' (Issue 11 asks for 30 minutes: `VIGIL_BENCH_WALL_MINUTES=30`.)' : ''}

| tiles | open → all painted, s | wall renderer CPU % | whole browser CPU % | frames painted / expected | decoded, not painted (a newer frame came first) | dropped by the tile gate | joined again (before) | paint method | picture age p50 / p95 / max, ms | JS heap, MiB | renderer RSS, MiB | RSS growth, MiB/min (whole run / second half) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
| ${TILES} | ${allPaintedS === null ? `not within 150 s (${first.filter((t) => t.painted > 0).length} painted)` : allPaintedS.toFixed(1)} | ${fmt(spread(rendererPct))} | ${fmt(spread(browserPct))} | ${painted} / ${expected.toFixed(0)} (${((100 * painted) / expected).toFixed(1)} %) | ${superseded} | ${dropped} | ${resyncs} (${joinResyncs}) | ${paintMethod} | ${quantile(lags, 0.5).toFixed(0)} / ${quantile(lags, 0.95).toFixed(0)} / ${worstLagMs.toFixed(0)} | ${mib(startHeap)} → ${mib(endHeap)} | ${mib(startRss)} → ${mib(endRss)} | ${((endRss - startRss) / 2 ** 20 / minutes).toFixed(1)} / ${secondHalfGrowth.toFixed(1)} |

The renderer's resident set every ${SAMPLE_MS / 1000} s, MiB (the decoders' frame pools fill for a few minutes after the
tiles join, then it should stay flat): ${rssSamples.map((r) => mib(r.bytes)).join(', ')}.`);
  } finally {
    for (const s of sentinels) s.stop();
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
