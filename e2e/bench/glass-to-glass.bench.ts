/**
 * Glass-to-glass latency and join time on the real product (issue 10 part 3), printed as a
 * markdown section by `npm run bench`.
 *
 * - A page on the X screen (Xvfb, 1920x1080) draws the wall clock (ms since the epoch) on every
 *   animation frame as 44 black/white blocks. The real Sentinel page in headed Chromium
 *   captures the entire screen and streams it through the real server (dist/backend).
 * - A proctor portal in another (headless) Chromium plays the stream live; on every frame it
 *   presents (`requestVideoFrameCallback`) it reads the blocks back from the `<video>` and
 *   records presentation time (`expectedDisplayTime`) − drawn time. Both browsers read the same
 *   system clock. The figure therefore covers screen paint → capture → encode → upload →
 *   server → relay → MSE → display.
 * - At 0.2, 1 and 5 fps, with WebCodecs and with the OpenH264 wasm fallback; then the join
 *   time over 20 trials at 1 fps and 0.2 fps: the live view opened from the stream list in the
 *   running portal, its subscribe → first frame presented (and the click → first frame).
 *
 * Goals (issue 10): WebCodecs p50 ≤ 100 ms and p95 ≤ 200 ms at every rate; join p50 ≤ 200 ms.
 * Needs the builds (`npx nx run-many -t build`) and an X server: without DISPLAY it runs
 * itself again under `xvfb-run`.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, type RunningServer } from '../support/server';
import { adminEnv, createExam, createSeat, loginAdmin, sessionCookie, type ApiSession } from '../support/auth';
import { screenCaptureLaunchOptions, viewerLaunchOptions } from '../support/chromium';
import { percentiles, runWithDisplay, waitForValue, type Percentiles } from '../support/bench';

const ROOT = path.resolve(__dirname, '../..');
const BITS = 44;
const BLOCK = 40;
/** Screen row where the blocks are read (page y 300–700 plus the browser's toolbars). */
const READ_Y = 560;

/**
 * The clock page: the time in ms as BITS blocks (MSB first), block i at page x = 40 + 40 i,
 * 40 px wide, white = 1, tall (page y 300 to 700) so that they are found at screen y
 * {@link READ_Y} whatever the height of the browser's own toolbars above the page.
 */
const CLOCK_PAGE = `<!doctype html><html><body style="margin:0;background:#808080;overflow:hidden">
<canvas id="c" width="1920" height="1080"></canvas><script>
const c = document.getElementById('c').getContext('2d');
function draw() {
  const t = Math.round(performance.timeOrigin + performance.now());
  for (let i = 0; i < ${BITS}; i++) {
    const bit = Math.floor(t / 2 ** (${BITS} - 1 - i)) % 2;
    c.fillStyle = bit ? '#ffffff' : '#000000';
    c.fillRect(${BLOCK} + i * ${BLOCK}, 300, ${BLOCK}, 400);
  }
  requestAnimationFrame(draw);
}
requestAnimationFrame(draw);
</script></body></html>`;

/** Installed in the proctor page (once; later calls only empty the list): reads the clock from every presented frame into window.__g2g. */
function installSampler(args: { bits: number; block: number; readY: number }): void {
  const w = window as unknown as { __g2g: number[]; __g2gBad: number; __g2gInstalled?: boolean };
  w.__g2g = [];
  w.__g2gBad = 0;
  // one frame-callback loop per page: each frame counted once, at every rate sampled on the page
  if (w.__g2gInstalled) return;
  w.__g2gInstalled = true;
  const canvas = document.createElement('canvas');
  canvas.width = args.block * (args.bits + 2);
  canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const video = document.querySelector('video')!;
  const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
    if (video.videoWidth === 1920) {
      ctx.drawImage(video, 0, args.readY, canvas.width, 1, 0, 0, canvas.width, 1);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let t = 0;
      let clean = true;
      for (let i = 0; i < args.bits; i++) {
        const x = args.block + i * args.block + args.block / 2;
        const p = x * 4;
        const luma = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
        if (luma > 80 && luma < 176) clean = false;
        t = t * 2 + (luma >= 128 ? 1 : 0);
      }
      const shownAt = performance.timeOrigin + meta.expectedDisplayTime;
      const latency = shownAt - t;
      if (clean && latency > -50 && latency < 20_000) w.__g2g.push(latency);
      else w.__g2gBad++;
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

const fmt = (s: Percentiles) => `${s.p50.toFixed(0)} | ${s.p95.toFixed(0)} | ${s.max.toFixed(0)} | ${s.n}`;

/** Opens the portal's live view of the stream in a new page and waits for its first frame. */
async function openLiveView(context: BrowserContext, server: RunningServer, streamId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/streams/${streamId}`);
  const shown = () => page.evaluate(() => (window as unknown as { __vigilPlayer?: { startupMs: number | null } }).__vigilPlayer?.startupMs ?? null);
  await waitForValue(shown, (v) => v !== null, 'the first frame', 30_000);
  return page;
}

/**
 * One join in the running portal, as a proctor does it: from the stream list, click the
 * stream's "Watch" link (an in-app navigation, no page load), wait for the first frame, go back
 * to the list. Returns the player's subscribe → first frame presented (`startupMs`: the live view
 * creates the player and subscribes at once) and click → first frame presented, ms.
 */
async function joinFromList(list: Page, streamId: string): Promise<{ joinMs: number; clickMs: number }> {
  const link = list.locator(`a[href="/streams/${streamId}"]`);
  await link.waitFor();
  const clickedAt = await list.evaluate(() => performance.now());
  await link.click();
  const first = () =>
    list.evaluate(() => {
      const p = (window as unknown as { __vigilPlayer?: { startupMs: number | null; firstFrameAtMs?: number | null } }).__vigilPlayer;
      return p && p.startupMs !== null && p.firstFrameAtMs != null ? { startupMs: p.startupMs, firstFrameAtMs: p.firstFrameAtMs } : null;
    });
  const shown = (await waitForValue(first, (v) => v !== null, 'the first frame', 30_000))!;
  await list.goBack();
  await waitForValue(() => list.evaluate(() => '__vigilPlayer' in window), (v) => !v, 'the live view closed');
  return { joinMs: shown.startupMs, clickMs: shown.firstFrameAtMs - clickedAt };
}

async function sample(page: Page, count: number, timeoutMs: number): Promise<number[]> {
  await page.evaluate(installSampler, { bits: BITS, block: BLOCK, readY: READ_Y });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await page.evaluate(() => (window as unknown as { __g2g: number[] }).__g2g.slice());
    if (got.length >= count || Date.now() > deadline) {
      if (got.length === 0) {
        const bad = await page.evaluate(() => (window as unknown as { __g2gBad: number }).__g2gBad);
        await page.screenshot({ path: path.join(ROOT, 'tmp/bench/glass-to-glass-viewer.png') });
        process.stderr.write(`glass-to-glass: ${bad} frames presented, none with a readable clock (see tmp/bench/glass-to-glass-viewer.png)\n`);
      }
      return got;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function setFps(admin: ApiSession, streamId: string, fps: number): Promise<void> {
  const r = await admin.request('PUT', `/api/streams/${streamId}/fps`, { fps });
  if (r.status !== 200) throw new Error(`PUT fps ${fps}: ${r.status}`);
}

/**
 * The rates sampled, in order: [fps, frames to read, longest wait s]. Default 1, 5, 0.2 fps;
 * `G2G_RATES=fps:count,…` (e.g. `1:10,5:100`) samples other steps (investigations).
 */
function rateSteps(): (readonly [number, number, number])[] {
  const spec = process.env['G2G_RATES'];
  if (!spec) {
    return [
      [1, 20, 60],
      [5, 100, 60],
      [0.2, 8, 80],
    ];
  }
  return spec.split(',').map((step) => {
    const [fps, count] = step.split(':').map(Number);
    return [fps!, count!, Math.max(60, (count! / fps!) * 2)] as const;
  });
}

async function main(): Promise<void> {
  for (const built of ['dist/backend/main.js', 'dist/frontend-proctor/browser/index.html', 'dist/frontend-sentinel/index.html']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npx nx run-many -t build\` first`);
  }
  const server = await startServer({ ...adminEnv(), VIGIL_STREAM_END_AFTER_MS: '600000' });
  let captureBrowser: Browser | null = null;
  let viewerBrowser: Browser | null = null;
  const latencyRows: string[] = [];
  const joinRows: string[] = [];
  try {
    const admin = await loginAdmin(server);
    captureBrowser = await chromium.launch(screenCaptureLaunchOptions({ width: 1920, height: 1080 }));
    viewerBrowser = await chromium.launch(viewerLaunchOptions(true));
    const viewer = await viewerBrowser.newContext();
    await viewer.addCookies([sessionCookie(admin)]);

    // G2G_ENCODERS=webcodecs (investigations): one encoder only
    const encoders = (process.env['G2G_ENCODERS']?.split(',') ?? ['webcodecs', 'openh264-wasm']) as ('webcodecs' | 'openh264-wasm')[];
    for (const encoder of encoders) {
      const exam = await createExam(admin, { name: `glass-to-glass ${encoder}`, defaultFps: 1 });
      const seat = await createSeat(admin, exam.id, `G-${encoder}`);
      const sentinelContext = await captureBrowser.newContext({ viewport: null });
      const sentinel = await sentinelContext.newPage();
      await sentinel.goto(`${seat.kioskUrl}${encoder === 'openh264-wasm' ? '&encoder=wasm' : ''}`);
      await waitForValue(() => sentinel.evaluate(() => (window as unknown as { __vigilSentinel?: { state?: string } }).__vigilSentinel?.state), (s) => s === 'streaming', 'the Sentinel streaming');
      const screenContext = await captureBrowser.newContext({ viewport: null });
      const screen = await screenContext.newPage();
      await screen.setContent(CLOCK_PAGE);
      await screen.bringToFront();
      const streams = await waitForValue(
        async () => (await admin.get<{ streamId: string; examId: string }[]>('/api/streams')).filter((s) => s.examId === exam.id),
        (s) => s.length === 1,
        'the stream',
      );
      const streamId = streams[0]!.streamId;
      const page = await openLiveView(viewer, server, streamId);
      for (const [fps, count, seconds] of rateSteps()) {
        await setFps(admin, streamId, fps);
        await new Promise((r) => setTimeout(r, Math.max(3000, 2000 / fps))); // the new rate reaches the player, the live edge settles
        const values = await sample(page, count, seconds * 1000);
        if (values.length === 0) throw new Error(`${encoder} ${fps} fps: no frame could be read`);
        latencyRows.push(`| ${encoder} | ${fps} | ${fmt(percentiles(values))} |`);
        process.stderr.write(`glass-to-glass ${encoder} ${fps} fps: ${JSON.stringify(percentiles(values))}\n`);
      }
      await page.close();

      // G2G_JOIN=0 (investigations): no join trials
      if (encoder === 'webcodecs' && process.env['G2G_JOIN'] !== '0') {
        for (const fps of [1, 0.2]) {
          await setFps(admin, streamId, fps);
          await new Promise((r) => setTimeout(r, 6000));
          const joins: number[] = [];
          const clicks: number[] = [];
          const list = await viewer.newPage();
          await list.goto(`${server.baseUrl}/streams`);
          for (let i = 0; i < 20; i++) {
            const trial = await joinFromList(list, streamId);
            joins.push(trial.joinMs);
            clicks.push(trial.clickMs);
            await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
          }
          await list.close();
          joinRows.push(`| ${encoder} | ${fps} | ${fmt(percentiles(joins))} | ${fmt(percentiles(clicks))} |`);
          process.stderr.write(`join ${fps} fps: ${JSON.stringify(percentiles(joins))} from the click: ${JSON.stringify(percentiles(clicks))}\n`);
        }
      }
      await screenContext.close();
      await sentinelContext.close();
    }
  } finally {
    await captureBrowser?.close();
    await viewerBrowser?.close();
    await server.stop();
  }
  console.log(`## Glass-to-glass latency and join time (e2e/bench/glass-to-glass.bench.ts)

A page on the X screen draws the wall clock as blocks on every animation frame; the real
Sentinel (headed Chromium under Xvfb, 1920x1080) captures it through the real server; the
portal's live view in another Chromium reads the clock back from every frame it presents:
presentation time − drawn time, ms. Percentiles over the frames of one run (n = frames read).
Join: in the running portal, the stream list's "Watch" link clicked (in-app navigation, no page
load; page open → first frame is measured by e2e/bench/page-open.bench.ts): the live view's
\`subscribe\` → first frame presented, and the click → first frame presented, 20 trials, ms.
Goals: WebCodecs p50 ≤ 100 ms and p95 ≤ 200 ms at every rate; join p50 ≤ 200 ms.

| encoder | fps | p50 | p95 | max | n |
|---|---|---|---|---|---|
${latencyRows.join('\n')}

| join, encoder | fps | subscribe → frame p50 | p95 | max | n | click → frame p50 | p95 | max | n |
|---|---|---|---|---|---|---|---|---|---|
${joinRows.join('\n')}`);
}

runWithDisplay(main);
