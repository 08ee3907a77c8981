/**
 * The review page's event track (issue 11 part 5) against the real server with a scripted
 * Sentinel (real protocol, real H.264 in real fMP4, every frame's capture time known): a
 * proctor of the exam opens the review page of a live recording; a Sentinel `event` sent
 * while the page is open shows as a marker (the page refreshes the track as the recording
 * grows) and in the list; the proctor flags the frame on screen with the F key: the marker
 * appears at once at that frame's capture time and the flag is in `GET …/events` with who;
 * a note (N) likewise; the list seeks, the filter hides a source; the exam page's
 * "Download incidents (CSV)" link downloads the CSV with the flag and its review link, and
 * that link (`/recordings/:id?at=<ms>`) opens the review page on the flagged frame.
 *
 * A second test does the same on the live view (`/streams/:id`): F, the Flag button and N
 * store a flag or note at the capture time of the frame on screen (a frame's prft, within 2 s
 * of what the player shows), say so ("Flag at 10:42:13 saved"), and a refused post says why.
 *
 * Needs `node backend/build.mjs` and the portal build first.
 * Run: xvfb-run -a -s '-screen 0 1920x1080x24' npx playwright test -c e2e/playwright.config.ts e2e/review/event-track.e2e.ts
 */
import { readFile } from 'node:fs/promises';
import type { StreamEventsView } from '@vigil/api';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { adminEnv, createExam, createProctor, createSeat, login, loginAdmin, sessionCookie, type ApiSession } from '../support/auth';
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

/** Waits until the frame on screen is exactly `frame` (by its capture time). */
async function expectShown(page: Page, frame: SentFrame, what: string): Promise<void> {
  await explained(
    page,
    expect
      .poll(async () => {
        const s = await reviewSnapshot(page);
        return s && s.videoWidth > 0 && !s.seeking && !s.seekPending ? s.wallClockMs : null;
      }, { timeout: 15_000, message: what })
      .toBe(frame.captureMs),
  );
}

/** Takes the keyboard focus off whatever has it (keys go to the page). */
async function blur(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

/** Where a marker points (its box less its negative left margin: a dot's centre, a flag's pole) vs where `atMs` is on the bar, pixels. */
async function markerOffsetPx(page: Page, marker: Locator, atMs: number): Promise<number> {
  const bar = page.getByTestId('timeline');
  const box = (await bar.boundingBox())!;
  const from = Number(await bar.getAttribute('data-from-ms'));
  const to = Number(await bar.getAttribute('data-to-ms'));
  const m = (await marker.boundingBox())!;
  const margin = await marker.evaluate((el) => parseFloat(getComputedStyle(el).marginLeft));
  return m.x - margin - (box.x + ((atMs - from) / (to - from)) * box.width);
}

/**
 * An exam with one seat whose scripted Sentinel is connected and has sent its init segment (640x360
 * test video, an IDR every 10 frames), and a proctor of the exam logged in.
 */
async function examWithLiveSeat(examName: string, seatLabel: string, student: string, proctorEmail: string) {
  const exam = await createExam(admin, { name: examName });
  const seat = await createSeat(admin, exam.id, seatLabel, student);
  const proctorUser = await createProctor(admin, proctorEmail, [exam.id]);
  const proctor = await login(server.baseUrl, proctorUser.email, proctorUser.password);
  const video = encodeTestVideo({ width: 640, height: 360, fps: FPS, frames: 50, gop: 10, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  const sentinel = new ScriptedSentinel({ baseUrl: server.baseUrl, token: tokenOfKioskUrl(seat.kioskUrl), examId: exam.id, seatId: seat.id });
  await sentinel.connect();
  sentinel.sendInit(video);
  return { exam, proctorUser, proctor, sentinel, streamId: sentinel.streamId! };
}

test('event track: Sentinel events as markers while live, flag (F) and note (N) at the frame on screen, list, filter, incidents CSV, ?at=', async () => {
  const { exam, proctorUser, proctor, sentinel, streamId } = await examWithLiveSeat('Event track e2e', 'E-1', 'Eve Events', 'proctor.events@e2e.test');
  await sentinel.sendFrames(25, FPS); // 5 s
  await sentinel.drained();

  // a proctor of the exam opens the review page while the stream is live
  const context = await browser.newContext({ viewport: { width: 1400, height: 1100 }, acceptDownloads: true });
  await context.addCookies([sessionCookie(proctor)]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.baseUrl}/recordings/${streamId}`);
  await expect(page.getByRole('heading', { name: /Eve Events/ })).toBeVisible();
  await expect.poll(async () => (await reviewSnapshot(page))?.segments ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  // the server's own events (connect) are on the track from the start
  await expect(page.locator('[data-testid="timeline-event"][data-source="server"]').first()).toBeVisible({ timeout: 10_000 });
  await expect(page.locator('[data-testid="event-item"][data-source="server"][data-type="connect"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="timeline-event"][data-source="sentinel"]')).toHaveCount(0);

  // 1. the Sentinel reports an event while the page is open: the page's refresh brings it as a marker
  const hiddenAt = sentinel.frames[12]!.captureMs;
  await sentinel.sendEvent('page-hidden', hiddenAt);
  await sentinel.sendFrames(25, FPS);
  await sentinel.drained();
  const sentinelMarker = page.locator('[data-testid="timeline-event"][data-source="sentinel"]');
  await expect(sentinelMarker).toHaveCount(1, { timeout: 10_000 });
  await expect(sentinelMarker).toHaveAttribute('data-at-ms', String(hiddenAt));
  await expect(sentinelMarker).toHaveAttribute('data-types', 'page-hidden');
  await expect(sentinelMarker).toHaveAttribute('title', /Sentinel · Sentinel page hidden/);
  const sentinelItem = page.locator('[data-testid="event-item"][data-source="sentinel"]');
  await expect(sentinelItem).toContainText('Sentinel page hidden');

  // 2. F flags the frame on screen (a jump puts a known frame there): the marker is there at once
  const flagFrame = sentinel.frames[20]!;
  await page.getByTestId('jump-input').fill(new Date(flagFrame.captureMs).toISOString());
  await page.getByTestId('jump-go').click();
  await expectShown(page, flagFrame, 'jump to the frame to flag');
  await expect(page.getByTestId('playhead-time')).toHaveAttribute('data-ms', String(flagFrame.captureMs));
  await blur(page); // the keyboard away from the jump field
  const flagMarker = page.locator('[data-testid="timeline-event"][data-source="proctor"]');
  const postFlag = page.waitForResponse((r) => r.url().endsWith(`/api/recordings/${streamId}/events`) && r.request().method() === 'POST');
  await page.keyboard.press('f');
  await expect(flagMarker).toHaveCount(1, { timeout: 1000 }); // at once, before the next refresh
  await expect(flagMarker).toHaveAttribute('data-at-ms', String(flagFrame.captureMs));
  expect((await postFlag).status()).toBe(201);
  const flagItem = page.locator('[data-testid="event-item"][data-source="proctor"][data-type="flag"]');
  await expect(flagItem).toContainText(proctorUser.email);
  await expect(flagItem).not.toHaveClass(/pending/);
  // the flag is on the stream's event track, with who, at the frame's capture time
  const track = async () => (await admin.get<StreamEventsView>(`/api/recordings/${streamId}/events`)).events;
  expect((await track()).filter((e) => e.source === 'proctor')).toEqual([
    expect.objectContaining({ type: 'flag', atMs: flagFrame.captureMs, by: proctorUser.email, detail: { text: '' } }),
  ]);
  // keys typed into a field are not hotkeys
  await page.getByTestId('jump-input').fill('f');
  await page.getByTestId('jump-input').press('f');
  await page.waitForTimeout(500);
  await expect(flagMarker).toHaveCount(1);
  await page.getByTestId('jump-input').fill('');

  // the stream ends: the track is fetched once more and stays; the markers sit at their moments
  await admin.post(`/api/streams/${streamId}/end`);
  sentinel.close();
  await expect.poll(async () => (await reviewSnapshot(page))!.live, { timeout: 15_000 }).toBe(false);
  await expect(flagMarker).toHaveCount(1);
  await expect.poll(async () => Math.abs(await markerOffsetPx(page, flagMarker, flagFrame.captureMs))).toBeLessThan(2);
  await expect.poll(async () => Math.abs(await markerOffsetPx(page, sentinelMarker, hiddenAt))).toBeLessThan(2);

  // 3. N: a note on the frame on screen, with its text
  const noteFrame = sentinel.frames[35]!;
  await page.getByTestId('jump-input').fill(new Date(noteFrame.captureMs).toISOString());
  await page.getByTestId('jump-go').click();
  await expectShown(page, noteFrame, 'jump to the frame to note');
  await blur(page);
  await page.keyboard.press('n');
  await expect(page.getByTestId('note-input')).toBeFocused();
  await page.keyboard.type('looks at a second screen');
  await page.keyboard.press('Enter');
  const noteItem = page.locator('[data-testid="event-item"][data-type="note"]');
  await expect(noteItem).toContainText('looks at a second screen');
  await expect(noteItem).toHaveAttribute('data-at-ms', String(noteFrame.captureMs));
  await expect(page.getByTestId('note-form')).toHaveCount(0);
  await expect.poll(async () => (await track()).filter((e) => e.source === 'proctor').map((e) => [e.type, e.atMs, e.detail['text']])).toEqual([
    ['flag', flagFrame.captureMs, ''],
    ['note', noteFrame.captureMs, 'looks at a second screen'],
  ]);

  // 4. the list seeks: the Sentinel's event goes to the frame captured at or before it
  await sentinelItem.click();
  await expectShown(page, sentinel.frames[12]!, 'click on the Sentinel event in the list');
  await expect(sentinelItem).toHaveClass(/current/);

  // 5. the filter: the server's events off, then on
  await page.locator('[data-testid="event-filter"] [data-source="server"]').click();
  await expect(page.locator('[data-testid="timeline-event"][data-source="server"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="event-item"][data-source="server"]')).toHaveCount(0);
  await expect(flagMarker).toHaveCount(2); // flag and note (apart on the bar)
  await page.locator('[data-testid="event-filter"] [data-source="server"]').click();
  await expect(page.locator('[data-testid="event-item"][data-source="server"]').first()).toBeVisible();
  await page.screenshot({ path: path.join(test.info().outputDir, 'event-track.png') });

  // 6. the exam page: "Download incidents (CSV)" has the flag and a link to its moment
  await page.goto(`${server.baseUrl}/exams/${exam.id}`);
  const link = page.getByTestId('incidents-csv');
  await expect(link).toBeVisible();
  const downloading = page.waitForEvent('download');
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`incidents-${exam.id}.csv`);
  const csv = await readFile((await download.path())!, 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toBe('time,seat,name,kind,who,text,cleared,streamId,review');
  const flagLine = lines.find((l) => l.includes(',flag,'))!;
  expect(flagLine).toContain(new Date(flagFrame.captureMs).toISOString());
  expect(flagLine).toContain(`E-1,Eve Events,flag,${proctorUser.email}`);
  const review = /(https?:\/\/\S+\/recordings\/[^?,]+\?at=(\d+))/.exec(flagLine);
  expect(review, flagLine).not.toBeNull();
  expect(Number(review![2])).toBe(flagFrame.captureMs);
  expect(lines.some((l) => l.includes(',note,') && l.includes('looks at a second screen'))).toBe(true);

  // 7. the CSV's review link opens the review page on the flagged frame
  const reviewPath = new URL(review![1]!).pathname + new URL(review![1]!).search;
  await page.goto(`${server.baseUrl}${reviewPath}`);
  await expect(page).toHaveURL(new RegExp(`/recordings/${streamId}\\?at=${flagFrame.captureMs}$`));
  await expectShown(page, flagFrame, '?at= of the incidents CSV');
  await expect(page.getByTestId('playhead-time')).toHaveAttribute('data-ms', String(flagFrame.captureMs));
  await expect(page.locator('[data-testid="event-item"][data-type="flag"]')).toHaveClass(/current/);

  expect((await reviewSnapshot(page))!.errors.filter((e) => e.fatal)).toEqual([]);
  expect(pageErrors).toEqual([]);
  await context.close();
});

/** The live player's capture time of the frame on screen (prft), ms, or null before the first frame. */
async function liveShownCaptureMs(page: Page): Promise<number | null> {
  return page.evaluate(() => (window as unknown as { __vigilPlayer?: { shownCaptureMs: number | null } }).__vigilPlayer?.shownCaptureMs ?? null);
}

test('live view: F and the Flag button flag the frame on screen at its capture time, N a note; a refused post says why', async () => {
  const { proctorUser, sentinel, streamId, proctor } = await examWithLiveSeat('Live flags e2e', 'L-1', 'Lee Live', 'proctor.liveflags@e2e.test');
  const sending = sentinel.sendFrames(150, FPS); // 30 s, live while the proctor watches
  const frameTimes = () => new Set(sentinel.frames.map((f) => f.captureMs));
  const proctorEvents = async () => (await admin.get<StreamEventsView>(`/api/recordings/${streamId}/events`)).events.filter((e) => e.source === 'proctor');

  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addCookies([sessionCookie(proctor)]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.baseUrl}/streams/${streamId}`);
  await expect(page.getByRole('heading', { name: /Lee Live/ })).toBeVisible();
  await expect.poll(() => liveShownCaptureMs(page), { timeout: 20_000, message: 'a frame on screen' }).not.toBeNull();
  const flagButton = page.getByTestId('flag-button');
  await expect(flagButton).toBeEnabled();
  await expect(flagButton).toHaveAttribute('title', /\(F\)/);
  await expect(page.getByTestId('note-button')).toHaveAttribute('title', /\(N\)/);
  await blur(page);

  // 1. F: a flag at the capture time of the frame on screen, said on the page, stored with who
  const shownAtPress = (await liveShownCaptureMs(page))!;
  const pressedAt = Date.now();
  const postFlag = page.waitForResponse((r) => r.url().endsWith(`/api/recordings/${streamId}/events`) && r.request().method() === 'POST');
  await page.keyboard.press('f');
  expect((await postFlag).status()).toBe(201);
  const notice = page.getByTestId('flag-notice');
  await expect(notice).toHaveText(/^Flag at \d{2}:\d{2}:\d{2} saved$/);
  await expect(notice).toHaveAttribute('role', 'status');
  const [flag] = await proctorEvents();
  expect(flag).toMatchObject({ type: 'flag', by: proctorUser.email, detail: { text: '' } });
  expect(frameTimes().has(flag!.atMs)).toBe(true); // exactly one frame's prft
  expect(Math.abs(flag!.atMs - shownAtPress)).toBeLessThanOrEqual(2000);
  expect(pressedAt - flag!.atMs).toBeLessThan(5000); // a live picture, not an old one
  const clock = await page.evaluate((ms) => new Date(ms).toTimeString().slice(0, 8), flag!.atMs);
  await expect(notice).toHaveText(`Flag at ${clock} saved`);

  // 2. the button does the same
  const shownAtClick = (await liveShownCaptureMs(page))!;
  await flagButton.click();
  await expect.poll(async () => (await proctorEvents()).length).toBe(2);
  const byButton = (await proctorEvents())[1]!;
  expect(byButton.type).toBe('flag');
  expect(frameTimes().has(byButton.atMs)).toBe(true);
  expect(Math.abs(byButton.atMs - shownAtClick)).toBeLessThanOrEqual(2000);
  await blur(page);

  // 3. N: a note on the frame on screen when N was pressed; an F typed into it is text, not a flag
  const shownAtNote = (await liveShownCaptureMs(page))!;
  await page.keyboard.press('n');
  await expect(page.getByTestId('note-input')).toBeFocused();
  await page.keyboard.type('left fullscreen for a moment');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('note-form')).toHaveCount(0);
  await expect(notice).toHaveText(/^Note at \d{2}:\d{2}:\d{2} saved$/);
  await expect.poll(async () => (await proctorEvents()).map((e) => e.type)).toEqual(['flag', 'flag', 'note']);
  const note = (await proctorEvents())[2]!;
  expect(note.detail).toEqual({ text: 'left fullscreen for a moment' });
  expect(frameTimes().has(note.atMs)).toBe(true);
  expect(Math.abs(note.atMs - shownAtNote)).toBeLessThanOrEqual(2000);

  // 4. a post the server refuses: the page says why, nothing stored
  await page.route(`**/api/recordings/${streamId}/events`, (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ statusCode: 503, message: 'the disk is full', error: 'Service Unavailable' }) })
      : route.continue(),
  );
  await blur(page);
  await page.keyboard.press('f');
  await expect(notice).toHaveText(/^The flag at \d{2}:\d{2}:\d{2} was not saved: the disk is full$/);
  await expect(notice).toHaveAttribute('role', 'alert');
  await page.unroute(`**/api/recordings/${streamId}/events`);
  expect(await proctorEvents()).toHaveLength(3);
  await page.screenshot({ path: path.join(test.info().outputDir, 'live-flags.png') });

  await sending;
  sentinel.close();
  expect(pageErrors).toEqual([]);
  await context.close();
});
