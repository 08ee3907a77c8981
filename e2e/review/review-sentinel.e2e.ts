/**
 * Issue 9 part 6: the portal's recording review against the real server and a real Sentinel.
 *
 * Real Chromium under Xvfb captures the real screen, on which a page draws the wall clock
 * as black and white blocks (clock-pattern.ts), and uploads through a TCP proxy the test
 * controls (as e2e/sentinel-backlog). About 35 s in, the network is cut for ~25 s; in the
 * middle of the outage the Sentinel page is navigated away and back (a `sentinel-restarted`
 * gap: the new page resumes the stream from its IndexedDB backlog); after the outage the
 * backlog uploads and the stream goes on. A proctor in headless Chromium then:
 *
 * 1. in the live view, presses "Back 20 s": the same page plays the recording from 20 s
 *    before the frame that was on screen, the frame shown was drawn at about that time;
 *    "Live" returns to the live view at the live edge;
 * 2. opens the recording's review page while it is live: the timeline shows the recording,
 *    the gap with its reason and the new init segment, and grows as the index is polled;
 * 3. jumps to wall-clock times (before the outage, inside it: recorded from the backlog,
 *    and inside the gap): the frame on screen was drawn at about that time (read back from
 *    the video's pixels), and the playhead label says the frame's capture time (prft);
 * 4. after the stream ended, plays at 8× to the end.
 *
 * Needs `node backend/build.mjs` and the portal and Sentinel builds first.
 * Run: xvfb-run -a -s '-screen 0 1920x1080x24' npx playwright test -c e2e/playwright.config.ts e2e/review/review-sentinel.e2e.ts
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fragmentsOfFile } from '@vigil/fmp4';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { adminEnv, createExam, createSeat, loginAdmin, sessionCookie, type ApiSession } from '../support/auth';
import { screenCaptureLaunchOptions, viewerLaunchOptions } from '../support/chromium';
import { withStateOnFailure } from '../support/diagnose';
import { freePort, startServer, type RunningServer } from '../support/server';
import { TcpProxy } from '../sentinel-backlog/tcp-proxy';
import { CLOCK_PAGE_HTML, readDrawnTime, viewportOrigin } from './clock-pattern';
import { explained, reviewSnapshot } from './review-page';

/** Frame rate of the exam, fps. */
const FPS = 2;
/** Streaming before the outage, the outage, streaming after it; ms. */
const BEFORE_MS = 35_000;
const OUTAGE_MS = 25_000;
const AFTER_MS = 25_000;
/** The Sentinel page is away this long in the middle of the outage (the capture gap), ms. */
const AWAY_MS = 6_000;
const SCREEN = { width: 1920, height: 1080 };

let server: RunningServer;
let proxy: TcpProxy;
let captureBrowser: Browser;
let viewerBrowser: Browser;
let admin: ApiSession;
const pageErrors: string[] = [];

interface SentinelStatus {
  state: string;
  connection: string;
  streamId: string | null;
  queueDepth: number;
  lastGap: { fromMs: number; toMs: number; reason: string } | null;
}
const sentinelStatus = (page: Page): Promise<SentinelStatus> =>
  page.evaluate(() => (window as unknown as { __vigilSentinel: SentinelStatus }).__vigilSentinel);

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const port = await freePort();
  server = await startServer(
    { ...adminEnv(), VIGIL_PUBLIC_URL: `http://127.0.0.1:${port}`, VIGIL_STREAM_END_AFTER_MS: '600000' },
    { port },
  );
  admin = await loginAdmin(server);
  proxy = await TcpProxy.start(port);
  captureBrowser = await chromium.launch(screenCaptureLaunchOptions(SCREEN));
  viewerBrowser = await chromium.launch(viewerLaunchOptions(true));
});

test.afterAll(async () => {
  await captureBrowser?.close();
  await viewerBrowser?.close();
  await proxy?.close();
  if (server) {
    if (test.info().status !== test.info().expectedStatus) console.log(server.logs.join('').slice(-20_000));
    await server.stop();
  }
});

test('review a real recording: back 20 s from live and Live again, the gap with its reason, jumps onto the right frames, 8x to the end', async () => {
  test.setTimeout(360_000);
  const figures: Record<string, string | number> = {};
  const exam = await createExam(admin, { name: 'Review e2e (Sentinel)', defaultFps: FPS });
  const seat = await createSeat(admin, exam.id, 'R-7', 'Rosa Review');
  const kiosk = new URL(seat.kioskUrl);
  kiosk.searchParams.set('server', `ws://127.0.0.1:${proxy.port}/ws/sentinel`);
  kiosk.searchParams.set('keyframeInterval', '20');

  // the Sentinel, and the clock page in front of it on the captured screen
  const sentinelContext = await captureBrowser.newContext({ viewport: null });
  const sentinel = await sentinelContext.newPage();
  await sentinel.goto(kiosk.href);
  await expect.poll(async () => (await sentinelStatus(sentinel)).state, { timeout: 30_000 }).toBe('streaming');
  const streamId = (await sentinelStatus(sentinel)).streamId!;
  const screenContext = await captureBrowser.newContext({ viewport: null });
  const screen = await screenContext.newPage();
  await screen.setContent(CLOCK_PAGE_HTML);
  await screen.bringToFront();
  const origin = await viewportOrigin(screen);
  const startedAtMs = Date.now();

  // the proctor watches live
  const proctorContext = await viewerBrowser.newContext({ viewport: { width: 1400, height: 1000 } });
  await proctorContext.addCookies([sessionCookie(admin)]);
  const proctor = await proctorContext.newPage();
  proctor.on('pageerror', (e) => pageErrors.push(String(e)));
  const drawnTime = (near: number) => readDrawnTime(proctor, '[data-testid="review-video"]', origin, SCREEN, near);
  const frameAge = () => proctor.evaluate(() => (window as unknown as { __vigilPlayer?: { frameAgeMs: number | null } }).__vigilPlayer?.frameAgeMs ?? null);
  await proctor.goto(`${server.baseUrl}/streams/${streamId}`);
  await expect.poll(async () => (await frameAge()) ?? Infinity, { timeout: 30_000 }).toBeLessThan(3000);

  // 1. "Back 20 s" in the live view, then "Live"
  await proctor.waitForTimeout(Math.max(0, 28_000 - (Date.now() - startedAtMs)));
  await proctor.getByTestId('back-20').click();
  await expect(proctor).toHaveURL(/[?&]at=\d+/);
  const at = Number(new URL(proctor.url()).searchParams.get('at'));
  expect(Date.now() - at, 'about 20 s back').toBeGreaterThan(19_000);
  expect(Date.now() - at).toBeLessThan(25_000);
  await expect(proctor.getByTestId('review-mode')).toBeVisible();
  // it plays on from there (autoplay), so read the first frame shown and the drawn time together
  let backShown: { label: number; drawn: number } | null = null;
  await explained(
    proctor,
    expect
      .poll(
        async () => {
          const s = await reviewSnapshot(proctor);
          if (!s || s.videoWidth === 0 || s.wallClockMs === null || s.seeking) return false;
          const drawn = await drawnTime(s.wallClockMs);
          const after = await reviewSnapshot(proctor);
          if (drawn === null || after?.wallClockMs !== s.wallClockMs) return false; // a frame changed in between
          backShown = { label: s.wallClockMs, drawn };
          return true;
        },
        { timeout: 20_000 },
      )
      .toBe(true),
  );
  const back = backShown!;
  expect(back.label, 'the review starts at the frame captured at or before "at"').toBeGreaterThan(at - 1000 / FPS - 600);
  expect(back.label).toBeLessThan(at + 8_000); // it plays on (1x) while the test reads it
  expect(Math.abs(back.drawn - back.label), 'the frame on screen was drawn when its prft says').toBeLessThan(1000);
  figures['back 20 s: frame label - drawn time, ms'] = back.label - back.drawn;
  await expect.poll(async () => (await reviewSnapshot(proctor))?.state, { timeout: 10_000 }).toMatch(/playing|live-edge|buffering/);
  await proctor.getByTestId('review-live').click();
  await expect(proctor).not.toHaveURL(/[?&]at=/);
  await expect(proctor.getByTestId('review-mode')).toHaveCount(0);
  await expect.poll(async () => (await frameAge()) ?? Infinity, { timeout: 20_000 }).toBeLessThan(3000);
  figures['"Live" -> live frame < 3 s old'] = 'yes';

  // 2. the outage, with the Sentinel page away and back in its middle (a capture gap)
  await proctor.waitForTimeout(Math.max(0, BEFORE_MS - (Date.now() - startedAtMs)));
  proxy.cut();
  const cutAtMs = Date.now();
  await expect.poll(async () => (await sentinelStatus(sentinel)).connection, { timeout: 10_000 }).not.toBe('connected');
  await sentinel.waitForTimeout(OUTAGE_MS / 2 - AWAY_MS / 2);
  await sentinel.goto('about:blank');
  const awayAtMs = Date.now();
  await sentinel.waitForTimeout(AWAY_MS);
  await sentinel.goto(kiosk.href);
  await expect.poll(async () => (await sentinelStatus(sentinel)).lastGap?.reason ?? null, { timeout: 30_000 }).toBe('sentinel-restarted');
  await screen.bringToFront();
  const gap = (await sentinelStatus(sentinel)).lastGap!;
  await sentinel.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - cutAtMs)));
  proxy.restore();
  const restoredAtMs = Date.now();
  await expect.poll(async () => (await sentinelStatus(sentinel)).queueDepth, { timeout: 60_000 }).toBe(0);
  figures['gap (sentinel-restarted), s'] = (gap.toMs - gap.fromMs) / 1000;
  figures['restore -> backlog acknowledged, ms'] = Date.now() - restoredAtMs;

  // 3. the review page while the stream is live: recording, gap with its reason, init change; it grows
  await proctor.goto(`${server.baseUrl}/recordings/${streamId}`);
  await expect(proctor.getByRole('heading', { name: /Rosa Review/ })).toBeVisible();
  await expect.poll(async () => (await reviewSnapshot(proctor))?.segments ?? 0, { timeout: 20_000 }).toBeGreaterThan(1);
  expect((await reviewSnapshot(proctor))!.live).toBe(true);
  const gapMark = proctor.locator('[data-testid="timeline-gap"][data-reason="sentinel-restarted"]');
  await expect(gapMark).toHaveCount(1);
  await expect(gapMark).toHaveAttribute('title', /the Sentinel page was reloaded or restarted/);
  await expect(proctor.getByTestId('gap-item')).toContainText('the Sentinel page was reloaded or restarted');
  await expect(proctor.getByTestId('timeline-recorded')).toHaveCount(2);
  await expect(proctor.getByTestId('timeline-init')).toHaveCount(1); // the new page's init segment (same size)
  const spanThen = (await reviewSnapshot(proctor))!.span!.toMs;
  await expect.poll(async () => (await reviewSnapshot(proctor))!.span!.toMs, { timeout: 15_000 }).toBeGreaterThan(spanThen + 3000);
  await proctor.screenshot({ path: path.join(test.info().outputDir, 'review-live.png') });

  // 4. jump to wall-clock times: the frame on screen was drawn at about that time
  const jumpAndRead = async (target: number, what: string) => {
    await proctor.getByTestId('jump-input').fill(new Date(target).toISOString());
    await proctor.getByTestId('jump-go').click();
    let shown: { label: number; drawn: number } | null = null;
    await withStateOnFailure(
      expect
        .poll(
          async () => {
            const s = await reviewSnapshot(proctor);
            if (!s || s.seeking || s.seekPending || s.wallClockMs === null || s.state !== 'paused') return false;
            if (s.wallClockMs > target || s.wallClockMs < target - 1000 / FPS - 600) return false; // not there yet
            const drawn = await drawnTime(s.wallClockMs);
            if (drawn === null) return false;
            shown = { label: s.wallClockMs, drawn };
            return true;
          },
          { timeout: 20_000, message: what },
        )
        .toBe(true),
      async () => ({ target, player: await reviewSnapshot(proctor), recordedNear: await recordedCaptureTimes(path.join(server.dataDir, 'streams', streamId), target - 4000, target + 4000) }),
    );
    const r = shown!;
    expect(Math.abs(r.drawn - r.label), `${what}: drawn time vs the frame's capture time (prft)`).toBeLessThan(1000);
    expect(r.drawn, `${what}: drawn no later than the moment asked for`).toBeLessThanOrEqual(target + 300);
    expect(r.drawn, `${what}: drawn at about the moment asked for`).toBeGreaterThan(target - 1000 / FPS - 1500);
    await expect(proctor.getByTestId('playhead-time')).toHaveAttribute('data-ms', String(r.label));
    figures[`${what}: asked - drawn, ms`] = target - r.drawn;
    return r;
  };
  await jumpAndRead(startedAtMs + 12_345, 'before the outage');
  await jumpAndRead(cutAtMs + 4_000, 'in the outage (uploaded from the backlog later)');
  await jumpAndRead(restoredAtMs + 5_000, 'after the outage');
  // a moment in the gap: the recording after it, with the gap shown
  await proctor.getByTestId('jump-input').fill(new Date((gap.fromMs + gap.toMs) / 2).toISOString());
  await proctor.getByTestId('jump-go').click();
  await expect(proctor.getByTestId('gap-banner')).toContainText('the Sentinel page was reloaded or restarted');
  await expect.poll(async () => (await reviewSnapshot(proctor))!.wallClockMs ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(gap.toMs - 50);
  expect((await reviewSnapshot(proctor))!.wallClockMs!).toBeLessThan(gap.toMs + 3000);
  figures['page away, ms'] = `${awayAtMs - cutAtMs} after the cut, for ${AWAY_MS}`;

  // 5. the stream ends; 8x plays to the end
  await proctor.waitForTimeout(Math.max(0, BEFORE_MS + OUTAGE_MS + AFTER_MS - (Date.now() - startedAtMs)));
  await admin.post(`/api/streams/${streamId}/end`);
  await expect.poll(async () => (await reviewSnapshot(proctor))!.live, { timeout: 15_000 }).toBe(false);
  const span = (await reviewSnapshot(proctor))!.span!;
  await proctor.getByTestId('jump-input').fill(new Date(span.toMs - 40_000).toISOString());
  await proctor.getByTestId('jump-go').click();
  await expect.poll(async () => (await reviewSnapshot(proctor))!.state, { timeout: 10_000 }).toBe('paused');
  await proctor.locator('[data-rate="8"]').click();
  const playAtMs = Date.now();
  await proctor.getByTestId('play-pause').click();
  await explained(proctor, expect.poll(async () => (await reviewSnapshot(proctor))!.state, { timeout: 30_000 }).toBe('ended'));
  figures['8x over the last 40 s, ms'] = Date.now() - playAtMs;
  const end = (await reviewSnapshot(proctor))!;
  expect(end.rate).toBe(8);
  expect(end.wallClockMs!).toBeGreaterThan(end.span!.toMs - 2 * (1000 / FPS) - 200);
  expect(Date.now() - playAtMs, '40 s at 8x: about 5 s').toBeLessThan(15_000);
  await proctor.screenshot({ path: path.join(test.info().outputDir, 'review-ended.png') });

  expect(end.errors.filter((e) => e.fatal)).toEqual([]);
  expect(pageErrors).toEqual([]);
  console.log('REVIEW (Sentinel) FIGURES ' + JSON.stringify(figures, null, 2));
  await test.info().attach('figures', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
  await sentinelContext.close();
  await screenContext.close();
  await proctorContext.close();
});

/**
 * Capture times (prft, ms since the Unix epoch) of the recorded frames in `[fromMs, toMs]`, read
 * from a stream folder's segment files: what the player should have landed on, for a failure message.
 * @param streamDir `<dataDir>/streams/<streamId>`
 */
async function recordedCaptureTimes(streamDir: string, fromMs: number, toMs: number): Promise<number[]> {
  const times: number[] = [];
  for (const file of await readdir(streamDir)) {
    if (!file.endsWith('.m4s')) continue;
    const bytes = new Uint8Array(await readFile(path.join(streamDir, file)));
    try {
      for (const f of fragmentsOfFile(bytes)) {
        const t = f.info.captureTimeMs;
        if (t !== null && t >= fromMs && t <= toMs) times.push(t);
      }
    } catch {
      // a segment still being written may end in the middle of a fragment
    }
  }
  return times.sort((a, b) => a - b);
}
