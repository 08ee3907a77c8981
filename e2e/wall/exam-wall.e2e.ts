import { test, expect, chromium, type Browser } from '@playwright/test';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../support/server';
import { adminEnv, createExam, createSeat, loginAdmin, sessionCookie, type ApiSession } from '../support/auth';
import { viewerLaunchOptions } from '../support/chromium';
import { encodeTestVideo } from '../player/h264-source';
import { NodeSentinel, waitFor } from '../support/node-sentinel';

/**
 * The exam wall (issue 11 part 1) in real Chromium: 12 Sentinels (real H.264 over the real
 * protocol) stream into one exam with two more seats, one whose Sentinel left and one that
 * never connected. The wall shows 14 tiles, decodes every streaming seat with WebCodecs into
 * its canvas over the one proctor WebSocket, puts the seats needing attention first, filters,
 * and opens the focused live view from a tile, which raises that stream's frame rate while it
 * is focused (issue 11 part 2) and only that one. The dashboard strip above the wall (issue 11
 * part 3) counts seats connected of expected, open alerts and viewers as the server does, shows
 * the stream of the tile pointed at, and asks nothing while the tab is hidden.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

const STREAMING = 12;
let server: RunningServer;
let browser: Browser;
let admin: ApiSession;
const sentinels: NodeSentinel[] = [];

test.beforeAll(async () => {
  server = await startServer({ ...adminEnv(), VIGIL_STREAM_END_AFTER_MS: '600000', VIGIL_ALERT_DISCONNECTED_SECONDS: '2' });
  admin = await loginAdmin(server);
  browser = await chromium.launch(viewerLaunchOptions());
});

test.afterAll(async () => {
  for (const s of sentinels) s.stop();
  await browser?.close();
  await server?.stop();
});

test('every seat on one wall: live tiles decoded, attention first, filter, focus', async () => {
  const exam = await createExam(admin, { name: 'Wall e2e', defaultFps: 2 });
  const video = encodeTestVideo({ width: 640, height: 360, fps: 2, frames: 20, gop: 10, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  for (let i = 1; i <= STREAMING + 1; i++) {
    const seat = await createSeat(admin, exam.id, `W-${String(i).padStart(2, '0')}`, `Student ${String(i).padStart(2, '0')}`);
    const s = new NodeSentinel({ baseUrl: server.baseUrl, token: seat.token, examId: exam.id, seatId: seat.id, video, fps: 2 });
    s.start();
    sentinels.push(s);
  }
  await createSeat(admin, exam.id, 'W-99', 'Zed Never');
  await waitFor(() => sentinels.every((s) => s.lastAcked >= 3), 'every Sentinel acknowledged', 30_000);
  // the 13th Sentinel leaves: its stream waits as "disconnected"
  const leaving = sentinels.pop()!;
  leaving.stop();

  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addCookies([sessionCookie(admin)]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const proctorSockets: string[] = [];
  page.on('websocket', (ws) => ws.url().includes('/ws/proctor') && proctorSockets.push(ws.url()));
  const statsRequests: number[] = [];
  page.on('request', (r) => r.url().endsWith(`/api/exams/${exam.id}/stats`) && statsRequests.push(Date.now()));
  await page.goto(`${server.baseUrl}/exams/${exam.id}`);
  await page.getByTestId('open-wall').click();
  await expect(page).toHaveURL(new RegExp(`/exams/${exam.id}/wall$`));

  const tiles = page.locator('vigil-wall-tile button.tile');
  await expect(tiles).toHaveCount(STREAMING + 2);
  await expect(page.getByTestId('wall-counts')).toHaveText(`${STREAMING} streaming · 1 offline · 1 never connected`, { timeout: 20_000 });
  // the server raises an alert for the seat whose Sentinel left; the wall lists it and puts its tile first
  const alerts = page.getByTestId('wall-alerts');
  await expect(alerts.locator('[data-kind="disconnected"]')).toContainText('Student 13', { timeout: 15_000 });
  await expect(tiles.nth(0)).toContainText('Student 13');
  await expect(tiles.nth(0).locator('[data-badge="alert"]')).toBeVisible();
  await expect(tiles.nth(0).locator('[data-badge="disconnected"]')).toBeVisible();
  // the strip above the wall: 12 of 14 seats connected, the open alert counted
  const strip = page.getByTestId('exam-stats');
  const figure = (key: string) => strip.locator(`[data-figure="${key}"] .value`);
  await expect(figure('seats')).toHaveText(`${STREAMING} / ${STREAMING + 2}`);
  await expect(figure('alerts')).toHaveText('1');
  // a proctor acknowledges it with a note: it leaves the list, and the audit log keeps it
  await alerts.getByTestId('alert-note').first().fill('student moved to seat 14');
  await alerts.getByTestId('alert-ack').first().click();
  await expect(alerts).toHaveCount(0);
  await expect(figure('alerts')).toHaveText('0');
  const audit = await admin.get<{ action: string; details: { note?: string } }[] | { items: { action: string; details: { note?: string } }[] }>('/api/audit?action=alert.ack');
  const entries = Array.isArray(audit) ? audit : audit.items;
  expect(entries.map((e) => e.details.note)).toContain('student moved to seat 14');
  // then, attention first: the disconnected seat, the one never connected, then the rest by name
  await expect(tiles.nth(0)).toContainText('Student 13');
  await expect(tiles.nth(0).locator('[data-badge="disconnected"]')).toBeVisible();
  await expect(tiles.nth(1)).toContainText('Zed Never');
  await expect(tiles.nth(1).locator('[data-badge="never-connected"]')).toBeVisible();
  await expect(tiles.nth(2)).toContainText('Student 01');

  // every streaming tile paints frames (WebCodecs into its canvas), and they keep coming
  const painted = () => page.locator('vigil-wall-tile button.tile.live').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-painted'))));
  await expect.poll(async () => (await painted()).filter((n) => n >= 2).length, { timeout: 30_000 }).toBe(STREAMING);
  const before = await painted();
  await page.waitForTimeout(2500);
  const after = await painted();
  expect(after.every((n, i) => n > before[i]!), `painted before ${before}, after ${after}`).toBe(true);
  // a tile shows the picture (ffmpeg's testsrc: not a blank canvas)
  const variance = await tiles.nth(2).locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const lumas: number[] = [];
    for (let p = 0; p < d.length; p += 4 * 97) lumas.push(0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]!);
    const mean = lumas.reduce((a, b) => a + b, 0) / lumas.length;
    return lumas.reduce((a, b) => a + (b - mean) ** 2, 0) / lumas.length;
  });
  expect(variance).toBeGreaterThan(100);
  // the whole wall runs over one proctor WebSocket
  expect(proctorSockets).toHaveLength(1);
  // every tile with a stream is one viewer of it, as the server counts: the 12 streaming and the
  // disconnected seat's (its stream waits in the relay); the ingest is the exam's
  await expect(figure('viewers')).toHaveText(String(STREAMING + 1), { timeout: 10_000 });
  await expect(figure('ingest')).toHaveText(/^\d+(\.\d)? (k|M)bit\/s$/);
  await expect(figure('storage')).toHaveText('none');
  // pointing at a tile shows its stream's figures
  await tiles.nth(2).hover();
  const detail = page.getByTestId('tile-stats');
  await expect(detail).toContainText('Student 01');
  await expect(detail.locator('[data-figure="stream-state"] .value')).toHaveText('connected');
  await expect(detail.locator('[data-figure="stream-rate"] .value')).toContainText('of 2 fps');
  await page.mouse.move(0, 0);

  // filters and search
  await page.getByTestId('wall-filter-attention').click();
  await expect(tiles).toHaveCount(2);
  await page.getByTestId('wall-filter-streaming').click();
  await expect(tiles).toHaveCount(STREAMING);
  await page.getByTestId('wall-search').fill('student 07');
  await expect(tiles).toHaveCount(1);
  const streamId = await tiles.first().getAttribute('data-stream-id');
  // tiles leave every stream at the exam's rate (2 fps)...
  const requestedFps = async (id: string) => (await admin.get<{ streamId: string; fps: number }[]>('/api/streams')).find((x) => x.streamId === id)?.fps;
  expect(await requestedFps(streamId!)).toBe(2);
  // ...a tile opens the focused live view, which raises that stream to the focus rate (5 fps)
  await tiles.first().click();
  await expect(page).toHaveURL(new RegExp(`/streams/${streamId}$`));
  await expect.poll(() => page.evaluate(() => (window as unknown as { __vigilPlayer?: { startupMs: number | null } }).__vigilPlayer?.startupMs ?? null), { timeout: 20_000 }).not.toBeNull();
  await expect.poll(() => requestedFps(streamId!), { timeout: 10_000 }).toBe(5);
  const others = (await admin.get<{ streamId: string; examId: string; fps: number }[]>('/api/streams')).filter((x) => x.examId === exam.id && x.streamId !== streamId);
  expect(others.every((x) => x.fps === 2)).toBe(true);
  // back on the wall the focus is gone: the stream returns to the exam's rate
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/exams/${exam.id}/wall$`));
  await expect.poll(() => requestedFps(streamId!), { timeout: 10_000 }).toBe(2);
  await expect(figure('seats')).toHaveText(`${STREAMING} / ${STREAMING + 2}`);
  // a hidden tab asks the server for nothing; visible again, it asks at once
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(500);
  const hiddenFrom = statsRequests.length;
  await page.waitForTimeout(7000);
  expect(statsRequests.length, 'stats requests while hidden').toBe(hiddenFrom);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(() => statsRequests.length, { timeout: 2000 }).toBeGreaterThan(hiddenFrom);
  expect(errors).toEqual([]);
  await context.close();
});

test('a tile whose picture stops says so, joins its stream again for a fresh IDR, and goes on', async () => {
  const exam = await createExam(admin, { name: 'Wall stall e2e', defaultFps: 2 });
  // one IDR every 20 s: a tile left to wait for the stream's next scheduled IDR would wait that long
  const video = encodeTestVideo({ width: 640, height: 360, fps: 2, frames: 40, gop: 40, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  const seat = await createSeat(admin, exam.id, 'S-01', 'Stalling Student');
  const sentinel = new NodeSentinel({ baseUrl: server.baseUrl, token: seat.token, examId: exam.id, seatId: seat.id, video, fps: 2, answerKeyframeRequests: true });
  sentinel.start();
  sentinels.push(sentinel);
  await waitFor(() => sentinel.lastAcked >= 3, 'the Sentinel acknowledged', 30_000);

  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addCookies([sessionCookie(admin)]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.baseUrl}/exams/${exam.id}/wall`);
  const tile = page.locator('vigil-wall-tile button.tile');
  await expect(tile).toHaveCount(1);
  const attr = async (name: string) => Number(await tile.getAttribute(name));
  await expect.poll(() => attr('data-painted'), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  await expect(tile.locator('.still')).toHaveCount(0);
  expect(await attr('data-resyncs')).toBe(0);

  // the student's capture stalls while the Sentinel stays connected: the tile says how long its
  // picture has not moved, and subscribes again (asking for an IDR), backing off while none comes
  sentinel.stopCapture();
  await expect(tile.locator('.still')).toHaveText(/^No new picture for \d+ s$/, { timeout: 10_000 });
  await expect(tile).toHaveClass(/stalled/);
  await expect.poll(() => attr('data-resyncs'), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  expect(await tile.getAttribute('title')).toMatch(/no new picture for \d+ s/);
  const paintedWhileStalled = await attr('data-painted');

  // the capture comes back: the tile's next try gets an IDR at once (the server asks again, as its
  // first request went unanswered) and the picture moves; the counts go on across the subscriptions
  sentinel.resumeCapture();
  await expect.poll(() => attr('data-painted'), { timeout: 20_000 }).toBeGreaterThan(paintedWhileStalled);
  await expect(tile.locator('.still')).toHaveCount(0, { timeout: 5000 });
  await expect(tile).not.toHaveClass(/stalled/);
  expect(await attr('data-stalled-ms')).toBe(0);
  const painted = await attr('data-painted');
  await page.waitForTimeout(2000);
  expect(await attr('data-painted')).toBeGreaterThan(painted);
  expect(errors).toEqual([]);
  await context.close();
});
