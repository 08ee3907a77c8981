/**
 * The proctor portal's MSE player in real Chromium, against real H.264:
 * ffmpeg encodes a Constrained Baseline test pattern, @vigil/fmp4 cuts it into
 * an init segment and one fragment per frame, and a small stand-in relay
 * (fake-relay.ts: node:http + ws, speaking @vigil/protocol) serves the built
 * portal (dist/frontend-proctor/browser) and streams the fragments live with
 * prft capture times of "now".
 *
 * Needs `npx nx run frontend-proctor:build` first (the e2e target does it).
 * Run: xvfb-run -a -s '-screen 0 1920x1080x24' npx playwright test -c e2e/playwright.config.ts e2e/player
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { viewerLaunchOptions } from '../support/chromium';
import { freePort } from '../support/server';
import { FakeRelay, FakeStream } from './fake-relay';
import { encodeTestVideo } from './h264-source';

const ROOT = path.resolve(__dirname, '../..');
const WEB_ROOT = path.join(ROOT, 'dist/frontend-proctor/browser');
const TMP = path.join(ROOT, 'tmp');

/** The subset of the player's `window.__vigilPlayer` snapshot the tests read. */
interface Snapshot {
  state: string;
  latencyMs: number | null;
  frameAgeMs: number | null;
  width: number | null;
  height: number | null;
  videoWidth: number;
  videoHeight: number;
  codec: string | null;
  fps: number | null;
  bufferedStart: number | null;
  bufferedEnd: number | null;
  currentTime: number;
  lag: number | null;
  appended: number;
  dropped: number;
  liveSeeks: number;
  lastSeekReason: string | null;
  startupMs: number | null;
  recoveries: number;
  errors: { type: string; details: string; fatal: boolean; message: string }[];
}

const snapshot = (page: Page) =>
  page.evaluate(() => (window as unknown as { __vigilPlayer?: unknown }).__vigilPlayer ?? null) as Promise<Snapshot | null>;

async function waitForSnapshot(page: Page, predicate: (s: Snapshot) => boolean, timeoutMs = 15_000): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: Snapshot | null = null;
  while (Date.now() < deadline) {
    last = await snapshot(page);
    if (last && predicate(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`player snapshot condition not met within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** Latency samples (ms) of the frames shown during `durationMs`. */
async function sampleLatency(page: Page, durationMs: number): Promise<number[]> {
  const out: number[] = [];
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    const s = await snapshot(page);
    if (s?.latencyMs != null) out.push(s.latencyMs);
    await page.waitForTimeout(100);
  }
  return out;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, min: s[0]!, median: s[Math.floor(s.length / 2)]!, p95: s[Math.floor(s.length * 0.95)]!, max: s[s.length - 1]! };
};

/** Emulates the tab going to the background / coming back (Page Visibility API). */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    const doc = document as unknown as Record<string, unknown>;
    if (h) {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    } else {
      delete doc['visibilityState'];
      delete doc['hidden'];
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test.describe.serial('proctor portal MSE player', () => {
  let relay: FakeRelay;
  let fast: FakeStream;
  let slow: FakeStream;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  const pageErrors: string[] = [];

  test.beforeAll(async () => {
    if (!existsSync(path.join(WEB_ROOT, 'index.html'))) {
      throw new Error(`${WEB_ROOT}/index.html is missing: run \`npx nx run frontend-proctor:build\` first`);
    }
    mkdirSync(TMP, { recursive: true });
    // 60 s of 640x360 at 5 fps, an IDR every 10 frames (2 s).
    const video = encodeTestVideo({ width: 640, height: 360, fps: 5, frames: 300, gop: 10, outDir: path.join(TMP, 'e2e-player') });
    fast = new FakeStream('stream-a12', 'EXAM-101', 'A-12', video, 5);
    // The same frames at 0.5 fps: one frame every 2 s, an IDR every 20 s.
    slow = new FakeStream('stream-b03', 'EXAM-101', 'B-03', video, 0.5);
    fast.start();
    slow.start();
    relay = new FakeRelay(WEB_ROOT, [fast, slow]);
    baseUrl = await relay.start(await freePort());
    browser = await chromium.launch(viewerLaunchOptions());
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  });

  test.afterAll(async () => {
    await browser?.close();
    fast?.stop();
    slow?.stop();
    await relay?.stop();
  });

  test('the stream list shows the live streams', async () => {
    await page.goto(baseUrl + '/streams');
    const row = page.locator('[data-stream-id="stream-a12"]');
    await expect(row).toContainText('EXAM-101');
    await expect(row).toContainText('A-12');
    await expect(row).toContainText('live');
    await expect(row).toContainText('640×360');
    await expect(row).toContainText('5 fps');
    await expect(row).toContainText(/kbit\/s/);
    await expect(page.locator('[data-stream-id="stream-b03"]')).toContainText('0.5 fps');
    await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'open');
    await page.screenshot({ path: path.join(TMP, 'proctor-list.png') });
  });

  test('joins mid-stream at a join fragment, plays at the live edge with low latency', async () => {
    // Join in the middle of a GOP, so the server's replay starts at an older join fragment.
    // Past the stream's first GOP too (its join fragment is sequence 2), however fast the test before ran.
    await expect
      .poll(() => fast.gop[0]!.sequence > 2 && fast.gop.length >= 4 && fast.gop.length <= 7, { timeout: 10_000, intervals: [20] })
      .toBe(true);
    const clickedAt = Date.now();
    await page.locator('[data-stream-id="stream-a12"]').getByTestId('watch').click();
    await expect(page).toHaveURL(/\/streams\/stream-a12$/);

    const first = await waitForSnapshot(page, (s) => s.startupMs !== null && s.videoWidth > 0);
    const firstFrameMs = Date.now() - clickedAt;

    const sub = relay.subscriptions.at(-1)!;
    expect(sub.streamId).toBe('stream-a12');
    expect(sub.firstJoin).toBe(true);
    expect(sub.firstSequence).toBeGreaterThan(2); // not the stream's first frame: a mid-stream join
    // The buffer starts at that join fragment: (sequence - 2) frames of 0.2 s.
    expect(first.bufferedStart).toBeCloseTo((sub.firstSequence! - 2) * 0.2, 2);
    expect(first.codec).toMatch(/^avc1\.42C0[0-9A-F]{2}$/);

    // At the live edge: a few frames behind the buffer end, playing.
    const live = await waitForSnapshot(page, (s) => s.lag !== null && s.lag < 1 && s.state === 'playing');
    const t0 = live.currentTime;
    await page.waitForTimeout(2000);
    const later = (await snapshot(page))!;
    expect(later.currentTime - t0).toBeGreaterThan(1.5);

    const dims = await page.getByTestId('video').evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight, v.paused]);
    expect(dims).toEqual([640, 360, false]);
    expect(later).toMatchObject({ width: 640, height: 360 });
    expect(later.fps).toBeCloseTo(5, 1);

    const latency = await sampleLatency(page, 5000);
    const ls = stats(latency);
    console.log(`[player e2e] 5 fps: first frame ${firstFrameMs} ms after click (player startup ${first.startupMs} ms), latency ms ${JSON.stringify(ls)}, lag ${later.lag} s`);
    expect(ls.n).toBeGreaterThan(20);
    expect(ls.min).toBeGreaterThan(0);

    await expect(page.getByTestId('latency')).toHaveText(/^\d+ ms$|^1\.\d s$/);
    await expect(page.getByTestId('resolution')).toHaveText('640×360');
    await expect(page.getByTestId('fps')).toHaveText('5 fps');
    await expect(page.getByTestId('player-state')).toHaveText('playing');
    await page.screenshot({ path: path.join(TMP, 'proctor-live.png') });

    const s = (await snapshot(page))!;
    expect(s.errors).toEqual([]);
    expect(s.dropped).toBe(0);
  });

  test('returns to the live edge when the tab comes back from the background', async () => {
    await setHidden(page, true);
    await page.waitForTimeout(4500);
    const behind = (await snapshot(page))!;
    expect(behind.state).toBe('background');
    expect(behind.lag).toBeGreaterThan(3.5); // position stood still while fragments kept arriving

    const shownAt = Date.now();
    await setHidden(page, false);
    const back = await waitForSnapshot(page, (s) => s.lag !== null && s.lag < 1 && s.state === 'playing', 5000);
    const recoverMs = Date.now() - shownAt;
    expect(back.lastSeekReason).toBe('resume');
    await page.waitForTimeout(1000);
    const latency = stats(await sampleLatency(page, 2000));
    console.log(`[player e2e] back from background: lag ${behind.lag} s -> ${back.lag} s in ${recoverMs} ms, latency ms ${JSON.stringify(latency)}`);
  });

  test('reconnects, resubscribes and keeps playing after the WebSocket drops', async () => {
    const before = (await snapshot(page))!;
    const subsBefore = relay.subscriptions.length;
    relay.dropConnections();
    await expect(page.getByTestId('connection')).not.toHaveAttribute('data-status', 'open', { timeout: 5000 });
    await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'open', { timeout: 10_000 });
    await expect.poll(() => relay.subscriptions.length).toBe(subsBefore + 1);
    const resub = relay.subscriptions.at(-1)!;
    expect(resub).toMatchObject({ streamId: 'stream-a12', firstJoin: true });
    const after = await waitForSnapshot(page, (s) => s.appended > before.appended + 10 && s.state === 'playing' && s.lag! < 1, 10_000);
    const latency = stats(await sampleLatency(page, 2000));
    console.log(`[player e2e] after reconnect: ${after.appended - before.appended} more fragments, lag ${after.lag} s, latency ms ${JSON.stringify(latency)}`);
    expect(after).toMatchObject({ recoveries: 0, errors: [] });
  });

  test('keeps the buffer bounded: trims whole GOPs 30 s behind the position', async () => {
    const start = (await snapshot(page))!;
    const trimmed = await waitForSnapshot(page, (s) => s.bufferedStart! > start.bufferedStart!, 60_000);
    // 30 s kept + up to one GOP (2 s) so the cut lands on a join fragment + the 2 s trim interval + the lag.
    const span = trimmed.bufferedEnd! - trimmed.bufferedStart!;
    console.log(`[player e2e] trimmed: buffered ${trimmed.bufferedStart}-${trimmed.bufferedEnd} s (${span.toFixed(1)} s), position ${trimmed.currentTime.toFixed(2)} s`);
    expect(trimmed.currentTime - trimmed.bufferedStart!).toBeGreaterThanOrEqual(30);
    expect(span).toBeLessThan(35);
    expect(Math.round(trimmed.bufferedStart! / 2) * 2).toBeCloseTo(trimmed.bufferedStart!, 3); // on a join fragment (every 2 s)
    expect(trimmed.errors).toEqual([]);
  });

  test('at 0.5 fps shows each new frame as it arrives', async () => {
    await page.goto(baseUrl + '/streams/stream-b03'); // deep link: SPA fallback + router
    await waitForSnapshot(page, (s) => s.startupMs !== null && s.videoWidth === 640, 30_000);
    // The frames of the join (REPLAY) are up to one frame period (2 s) old by nature;
    // measure from the first live frame on: after the jump to the live edge, or after the step
    // to a new frame when the join held nothing newer to jump to (the early player, started
    // before Angular, gets the join while it is still the newest frame).
    const joined = await waitForSnapshot(page, (s) => (s.lastSeekReason === 'live' || s.lastSeekReason === 'frame') && !s.errors.length, 30_000);
    await waitForSnapshot(page, (s) => s.appended > joined.appended, 5000);
    await page.waitForTimeout(200);
    const latency = stats(await sampleLatency(page, 8000));
    const s = (await snapshot(page))!;
    console.log(`[player e2e] 0.5 fps: latency ms ${JSON.stringify(latency)}, lag ${s.lag} s, fps ${s.fps}, seeks ${s.liveSeeks} (${s.lastSeekReason})`);
    expect(s.fps).toBeCloseTo(0.5, 2);
    // Functional: each new frame replaces the previous one on screen before the next one is
    // due (under one 2 s frame period), instead of the stale frame staying for its whole period.
    expect(latency.max).toBeLessThan(2000);
    expect(s.state).toBe('playing'); // the element waits between frames, but the stream is live
    // The position stays inside the newest 2 s frame: lag <= frame duration (+ slack).
    expect(s.lag!).toBeLessThanOrEqual(2.1);
    expect(s.errors).toEqual([]);
  });

  test('leaving a live view unsubscribes its channel', async () => {
    const subscribed = relay.subscriptions.filter((r) => !r.unsubscribed);
    expect(subscribed.map((r) => r.streamId)).toEqual(['stream-b03']);
    await page.getByTestId('nav-streams').click(); // the toolbar's 'Live streams'
    await expect(page.locator('[data-stream-id="stream-a12"]')).toBeVisible();
    await expect.poll(() => relay.subscriptions.filter((r) => !r.unsubscribed).length).toBe(0);
    expect(await page.evaluate(() => '__vigilPlayer' in window)).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  test('a live view opened by its address: the player starts before Angular, the live view adopts it with its subscription (one subscribe, one channel, no fragment twice)', async () => {
    const direct = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    direct.on('pageerror', (e) => errors.push(String(e)));
    direct.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    // before any script of the page: note the early stage's <video> and when it presents its first frame
    await direct.addInitScript(() => {
      const w = window as unknown as { __early?: { video: HTMLVideoElement; firstFrameAt: number | null; stageGoneAt: number | null } };
      new MutationObserver((records, observer) => {
        for (const r of records) {
          for (const node of r.addedNodes) {
            if (!(node instanceof HTMLElement) || !node.classList.contains('vigil-early-stage')) continue;
            const video = node.querySelector('video')!;
            const early = { video, firstFrameAt: null as number | null, stageGoneAt: null as number | null };
            w.__early = early;
            video.requestVideoFrameCallback((now) => (early.firstFrameAt ??= now));
            new MutationObserver(() => {
              if (!node.isConnected) early.stageGoneAt ??= performance.now();
            }).observe(document.body, { childList: true });
            observer.disconnect();
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const before = relay.subscriptions.length;
    await direct.goto(`${baseUrl}/streams/${fast.streamId}`);
    const shown = await waitForSnapshot(direct, (s) => s.startupMs !== null && s.videoWidth === 640, 20_000);
    await direct.waitForTimeout(1000); // a second subscribe would have come by now
    const made = relay.subscriptions.slice(before);
    expect(made.map((r) => r.streamId)).toEqual([fast.streamId]);
    expect(made[0]!.firstJoin).toBe(true);
    const page = await direct.evaluate(() => {
      const w = window as unknown as { __early?: { video: HTMLVideoElement; firstFrameAt: number | null; stageGoneAt: number | null } };
      const live = document.querySelector('vigil-live-view [data-testid="video"]');
      return {
        early: w.__early ? { firstFrameAt: w.__early.firstFrameAt, stageGoneAt: w.__early.stageGoneAt } : null,
        adopted: live !== null && live === w.__early?.video,
        inScreen: live?.parentElement?.classList.contains('screen') ?? false,
        videos: document.querySelectorAll('video').length,
        stages: document.querySelectorAll('.vigil-early-stage').length,
      };
    });
    // the picture was on the early stage before the live view took its <video> over
    expect(page.early).not.toBeNull();
    expect(page.early!.firstFrameAt).not.toBeNull();
    expect(page.early!.stageGoneAt).not.toBeNull();
    expect(page.adopted).toBe(true); // the same element, with its MediaSource, in the live view's place
    expect(page.inScreen).toBe(true);
    expect(page.videos).toBe(1);
    expect(page.stages).toBe(0);
    // the live view's pipeline went on where the early one stopped: nothing appended twice, no error
    const after = (await snapshot(direct))!;
    expect(after.appended).toBeGreaterThan(shown.appended - 1);
    expect(after.dropped).toBe(0);
    expect(after.errors).toEqual([]);
    expect(after.state).toBe('playing');
    await direct.close();
    await expect.poll(() => relay.subscriptions.slice(before).every((r) => r.unsubscribed)).toBe(true);
    expect(errors).toEqual([]);
  });
});
