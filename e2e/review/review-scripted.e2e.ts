/**
 * The portal's recording review player against the real server with a scripted Sentinel
 * (real protocol, real H.264 from ffmpeg in real fMP4; every frame's capture time known to
 * the test): 640×360 for 10 s, a 6 s `capture-stopped` gap, then 480×270 (a new init
 * segment: `changeType()`). In headless Chromium the review page must show the recording
 * and the gap with its reason on the timeline while it is live and grow with it, jump to
 * a wall-clock time onto exactly the frame captured at or before it (by prft), step frames,
 * jump over the gap, play at 8× across the gap and the init change to the end, and offer
 * the selected range as MP4 exports (one per init segment) and as a share link.
 *
 * Needs `node backend/build.mjs` and the portal build first.
 * Run: xvfb-run -a -s '-screen 0 1920x1080x24' npx playwright test -c e2e/playwright.config.ts e2e/review/review-scripted.e2e.ts
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Browser } from '@playwright/test';
import { adminEnv, createExam, createSeat, loginAdmin, sessionCookie, type ApiSession } from '../support/auth';
import { viewerLaunchOptions } from '../support/chromium';
import { startServer, type RunningServer } from '../support/server';
import { tokenOfKioskUrl } from '../support/node-sentinel';
import { encodeTestVideo } from '../player/h264-source';
import { ScriptedSentinel, type SentFrame } from './scripted-sentinel';
import { explained, reviewSnapshot } from './review-page';

const FPS = 5;

let server: RunningServer;
let admin: ApiSession;
let browser: Browser;
const pageErrors: string[] = [];

test.describe.configure({ mode: 'serial' });
test.setTimeout(150_000);

test.beforeAll(async () => {
  server = await startServer(adminEnv());
  admin = await loginAdmin(server);
  browser = await chromium.launch(viewerLaunchOptions(true));
});

test.afterAll(async () => {
  await browser?.close();
  if (server) {
    if (test.info().status !== test.info().expectedStatus) console.log(server.logs.join('').slice(-20_000));
    await server.stop();
  }
});

/** The frame captured at or just before `ms`. */
function frameAtOrBefore(frames: readonly SentFrame[], ms: number): SentFrame {
  return [...frames].reverse().find((f) => f.captureMs <= ms)!;
}

test('review: timeline with the gap and the init change, exact jumps, frame steps, 8x to the end, export and share', async () => {
  const exam = await createExam(admin, { name: 'Review e2e (scripted)' });
  const seat = await createSeat(admin, exam.id, 'R-1', 'Rita Review');
  const outDir = path.join(tmpdir(), 'vigil-e2e-video');
  const big = encodeTestVideo({ width: 640, height: 360, fps: FPS, frames: 50, gop: 10, outDir });
  const small = encodeTestVideo({ width: 480, height: 270, fps: FPS, frames: 50, gop: 10, outDir });

  const sentinel = new ScriptedSentinel({ baseUrl: server.baseUrl, token: tokenOfKioskUrl(seat.kioskUrl), examId: exam.id, seatId: seat.id });
  await sentinel.connect();
  const streamId = sentinel.streamId!;
  sentinel.sendInit(big);
  await sentinel.sendFrames(50, FPS); // 10 s
  const partA = [...sentinel.frames];

  // the proctor opens the review page from the exam's seat list while the stream is live
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addCookies([sessionCookie(admin)]);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.baseUrl}/exams/${exam.id}`);
  await page.locator(`tr[data-seat-id="${seat.id}"]`).getByTestId('review-seat').click();
  await expect(page).toHaveURL(new RegExp(`/recordings/${streamId}$`));
  await expect(page.getByRole('heading', { name: /Rita Review/ })).toBeVisible();
  await expect.poll(async () => (await reviewSnapshot(page))?.segments ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
  expect((await reviewSnapshot(page))!.live).toBe(true);
  await expect(page.getByTestId('review-live')).toBeVisible();

  // 6 s without capture, announced as a gap, then a new picture size
  const gapFrom = partA.at(-1)!.captureMs + 200;
  await page.waitForTimeout(6_000);
  const gapTo = Date.now();
  sentinel.sendGap(gapFrom, gapTo, 'capture-stopped');
  sentinel.sendInit(small);
  await sentinel.sendFrames(50, FPS);
  await sentinel.drained();
  const partB = sentinel.frames.slice(partA.length);
  const all = sentinel.frames;

  // the review page polls the index: the timeline grows and shows the gap with its reason
  await expect(page.getByTestId('timeline-gap')).toHaveCount(1, { timeout: 15_000 });
  await expect(page.getByTestId('timeline-gap')).toHaveAttribute('data-reason', 'capture-stopped');
  await expect(page.getByTestId('timeline-gap')).toHaveAttribute('title', /screen sharing stopped/);
  await expect(page.getByTestId('gap-item')).toContainText('screen sharing stopped');
  await expect(page.getByTestId('timeline-init')).toHaveCount(1);
  await expect(page.getByTestId('timeline-init')).toHaveAttribute('title', /^640×360 → 480×270/);
  await explained(page, expect.poll(async () => (await reviewSnapshot(page))!.span?.toMs ?? 0, { timeout: 15_000 }).toBeGreaterThan(partB.at(-5)!.captureMs));
  const snapLive = (await reviewSnapshot(page))!;
  expect(snapLive.polls).toBeGreaterThan(1);

  // the stream ends: the recording stops growing
  await admin.post(`/api/streams/${streamId}/end`);
  sentinel.close();
  await expect.poll(async () => (await reviewSnapshot(page))!.live, { timeout: 15_000 }).toBe(false);
  await expect(page.getByTestId('review-live')).toHaveCount(0);

  // 0. the timeline: a click seeks to the moment under the pointer, Shift + drag selects a range
  const bar = page.getByTestId('timeline');
  const box = (await bar.boundingBox())!;
  const span = (await reviewSnapshot(page))!.span!;
  const barFrom = Number(await bar.getAttribute('data-from-ms'));
  const barTo = Number(await bar.getAttribute('data-to-ms'));
  expect(barFrom).toBe(span.fromMs);
  const clickAt = barFrom + 0.2 * (barTo - barFrom);
  await page.mouse.click(box.x + 0.2 * box.width, box.y + box.height / 2);
  await expect
    .poll(async () => {
      const s = await reviewSnapshot(page);
      return s && !s.seeking && !s.seekPending ? s.wallClockMs : null;
    })
    .toBe(frameAtOrBefore(all, clickAt).captureMs);
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + 0.1 * box.width, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 0.3 * box.width, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.getByTestId('timeline-selection')).toBeVisible();
  await expect(page.getByTestId('download-range')).toHaveCount(1);
  await page.getByRole('button', { name: 'Clear' }).click();

  // 1. jump to a wall-clock time: exactly the frame captured at or before it
  const jumpTo = async (ms: number) => {
    await page.getByTestId('jump-input').fill(new Date(ms).toISOString());
    await page.getByTestId('jump-go').click();
  };
  const target = partA[23]!.captureMs + 120;
  await jumpTo(target);
  const expectShown = async (frame: SentFrame, what: string) => {
    await expect
      .poll(async () => {
        const s = await reviewSnapshot(page);
        return s && s.videoWidth > 0 && !s.seeking ? s.wallClockMs : null;
      }, { timeout: 10_000, message: what })
      .toBeCloseTo(frame.captureMs, 0);
  };
  await expectShown(frameAtOrBefore(all, target), 'jump to a wall-clock time');
  await expect(page.getByTestId('playhead-time')).toHaveAttribute('data-ms', /\d+/);

  // 2. frame steps
  await page.getByTestId('step-forward').click();
  await expectShown(partA[24]!, 'one frame forward');
  await page.getByTestId('step-back').click();
  await page.getByTestId('step-back').click();
  await expectShown(partA[22]!, 'two frames back');
  expect((await reviewSnapshot(page))!.state).toBe('paused');

  // 3. a moment inside the gap: the recording after it, the gap shown
  await jumpTo(gapFrom + 3_000);
  await expectShown(partB[0]!, 'jump into the gap lands on the first frame after it');
  await expect(page.getByTestId('gap-banner')).toContainText('screen sharing stopped');
  await expect.poll(async () => (await reviewSnapshot(page))!.videoWidth).toBe(480);

  // 4. 8x from the start of part A: over the gap and the init change to the end
  await jumpTo(partA[2]!.captureMs);
  await expectShown(partA[2]!, 'back to the start');
  await page.locator('[data-rate="8"]').click();
  const startedAt = Date.now();
  await page.getByTestId('play-pause').click();
  await explained(page, expect.poll(async () => (await reviewSnapshot(page))!.state, { timeout: 30_000 }).toBe('ended'));
  const playedMs = Date.now() - startedAt;
  const end = (await reviewSnapshot(page))!;
  expect(end.rate).toBe(8);
  expect(end.wallClockMs).toBeCloseTo(all.at(-1)!.captureMs, 0);
  expect(end.videoWidth).toBe(480);
  expect(end.lastHole?.hole.reason).toBe('capture-stopped');
  // 20 s of recording at 8x, the gap skipped: a few seconds, not 26
  expect(playedMs).toBeLessThan(12_000);
  await expect(page.getByTestId('review-overlay')).toHaveText('End of the recording.');

  // 5. a range across the init change: one export per part, and a share link
  await jumpTo(partA[30]!.captureMs);
  await expectShown(partA[30]!, 'selection start');
  await page.getByTestId('mark-start').click();
  await jumpTo(partB[20]!.captureMs);
  await expectShown(partB[20]!, 'selection end');
  await page.getByTestId('mark-end').click();
  await expect(page.getByTestId('selection')).toBeVisible();
  const links = page.getByTestId('download-range');
  await expect(links).toHaveCount(2);
  const hrefs = await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  for (const href of hrefs) {
    const res = await page.request.get(href);
    expect(res.status(), href).toBe(200);
    expect(res.headers()['content-type']).toContain('video/mp4');
  }
  const first = new URL(hrefs[0]!);
  expect(Number(first.searchParams.get('from'))).toBeCloseTo(partA[30]!.captureMs, -1);

  await page.getByTestId('share-range').click();
  const shareUrl = await page.getByTestId('share-url').inputValue();
  expect(shareUrl).toMatch(/\/api\/shared\/[^/]+\/recording\.mp4$/);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareUrl);
  const anonymous = await fetch(shareUrl.replace(/^https?:\/\/[^/]+/, server.baseUrl));
  expect([200, 409]).toContain(anonymous.status); // 409: the shared range crosses the init change (one MP4 per picture size)

  await page.screenshot({ path: path.join(test.info().outputDir, 'review-scripted.png') });
  expect((await reviewSnapshot(page))!.errors.filter((e) => e.fatal)).toEqual([]);
  expect(pageErrors).toEqual([]);
  console.log(`REVIEW (scripted): ${all.length} frames, 8x over 20 s of recording + gap took ${playedMs} ms, reads ${end.reads} (${end.bytesRead} bytes)`);
  await context.close();
});

