import { test, expect, chromium, type Browser, type Page } from '@playwright/test';
import type { StreamEventsView } from '@vigil/api';
import { screenCaptureLaunchOptions } from '../support/chromium';
import { startServer, type RunningServer } from '../support/server';
import { adminEnv, createExam, createProctor, createSeat, login, loginAdmin, type ApiSession } from '../support/auth';
import { COLOUR_PAGE_HTML } from '../live/colour-page';

/**
 * The event track and the screen alerts (issue 11 parts 4 and 5) on real input: a real screen
 * (Xvfb) with changing content, the Sentinel capturing it in headed Chromium, the real server.
 * The content page turns black: the Sentinel's screen watch reports `screen-blank`, and the
 * server raises a `screen-blank` alert within VIGIL_ALERT_BLANK_SECONDS of the screen going
 * black plus the Sentinel's 2 s confirmation and the 2 s alert check; it clears when the
 * content comes back. The events are on the stream's track (GET events), next to the server's
 * and a proctor's flag; a proctor of another exam sees none of it.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(150_000);

const BLANK_SECONDS = 4;
let server: RunningServer;
let captureBrowser: Browser;
let admin: ApiSession;

interface AlertRow {
  id: number;
  kind: string;
  streamId: string;
  raisedAtMs: number;
  clearedAtMs: number | null;
  detail: string;
}
test.beforeAll(async () => {
  server = await startServer({ ...adminEnv(), VIGIL_ALERT_BLANK_SECONDS: String(BLANK_SECONDS), VIGIL_STREAM_END_AFTER_MS: '600000' });
  admin = await loginAdmin(server);
  captureBrowser = await chromium.launch(screenCaptureLaunchOptions({ width: 1920, height: 1080 }));
});

test.afterAll(async () => {
  await captureBrowser?.close();
  if (server) {
    if (test.info().status !== test.info().expectedStatus) console.log(server.logs.join(''));
    await server.stop();
  }
});

test('a screen that turns black raises screen-blank within K s and clears; the events are on the track', async () => {
  const exam = await createExam(admin, { name: 'Screen events e2e', defaultFps: 1 });
  const other = await createExam(admin, { name: 'Another exam' });
  const seat = await createSeat(admin, exam.id, 'B-1', 'Student Blank');
  const foreignProctor = await createProctor(admin, 'foreign.events@e2e.test', [other.id]);
  const foreign = await login(server.baseUrl, foreignProctor.email, foreignProctor.password);

  // the content on screen first (the Sentinel's page would otherwise be what it captures)
  const screenContext = await captureBrowser.newContext({ viewport: null });
  const screen: Page = await screenContext.newPage();
  await screen.setContent(COLOUR_PAGE_HTML);
  const sentinelContext = await captureBrowser.newContext({ viewport: null });
  const sentinel = await sentinelContext.newPage();
  const sentinelLog: string[] = [];
  sentinel.on('console', (m) => sentinelLog.push(m.text()));
  await sentinel.goto(seat.kioskUrl);
  const status = () => sentinel.evaluate(() => (window as unknown as { __vigilSentinel: { state: string; streamId: string | null; screenBlank: boolean; eventsQueued: number } }).__vigilSentinel);
  await expect.poll(async () => (await status()).state, { timeout: 20_000 }).toBe('streaming');
  const streamId = (await status()).streamId!;
  await screen.bringToFront();

  const alerts = async () => (await admin.get<AlertRow[]>(`/api/exams/${exam.id}/alerts`)).filter((a) => a.streamId === streamId);
  const events = async () => (await admin.get<StreamEventsView>(`/api/recordings/${streamId}/events`)).events;

  // real content for a while: no screen alert
  await screen.waitForTimeout(6000);
  expect((await alerts()).filter((a) => a.kind === 'screen-blank' || a.kind === 'screen-frozen')).toEqual([]);
  expect((await status()).screenBlank).toBe(false);

  // the screen goes black
  await screen.evaluate(() => {
    document.head.querySelectorAll('style').forEach((s) => s.remove());
    document.body.replaceChildren();
    document.documentElement.style.cssText = 'background:#000;height:100%';
    document.body.style.cssText = 'background:#000;margin:0;height:100%';
    for (let id = 1; id < 10_000; id++) clearInterval(id);
  });
  const blackAtMs = Date.now();
  try {
    await expect.poll(async () => (await alerts()).some((a) => a.kind === 'screen-blank'), { timeout: (BLANK_SECONDS + 12) * 1000, intervals: [250] }).toBe(true);
  } catch (e) {
    console.log(`no screen-blank alert; Sentinel: ${JSON.stringify(sentinelLog.slice(-30))} ${JSON.stringify(await status())}`);
    throw e;
  }
  const blank = (await alerts()).find((a) => a.kind === 'screen-blank')!;
  const latencyMs = blank.raisedAtMs - blackAtMs;
  console.log(`screen-blank alert ${latencyMs} ms after the screen went black (VIGIL_ALERT_BLANK_SECONDS=${BLANK_SECONDS}): ${blank.detail}`);
  // K s, plus the Sentinel's 2 s confirmation, its 1 s sampling, and the 2 s alert check
  expect(latencyMs).toBeGreaterThanOrEqual(BLANK_SECONDS * 1000 - 500);
  expect(latencyMs).toBeLessThan((BLANK_SECONDS + 6) * 1000);
  expect(blank.detail).toMatch(/^the screen has been blank \(black\) for \d+ s$/);

  // content again (a new document: the page's script declares constants): the condition ends and the alert clears
  await screen.goto('about:blank');
  await screen.setContent(COLOUR_PAGE_HTML);
  try {
    await expect.poll(async () => (await alerts()).find((a) => a.id === blank.id)?.clearedAtMs ?? null, { timeout: 15_000 }).not.toBeNull();
  } catch (e) {
    console.log(`screen-blank alert not cleared; Sentinel: ${JSON.stringify(sentinelLog.slice(-30))} ${JSON.stringify(await status())}`);
    throw e;
  }

  // a proctor's flag at the moment it went black
  await admin.post(`/api/recordings/${streamId}/events`, { atMs: blackAtMs, kind: 'flag', text: 'screen went black' });

  // the track: the server's, the Sentinel's and the proctor's events, time-aligned
  const track = await events();
  const sentinelEvents = track.filter((e) => e.source === 'sentinel');
  expect(sentinelEvents.map((e) => e.type)).toContain('capture-started');
  const starts = sentinelEvents.filter((e) => e.type === 'screen-blank' && e.detail['state'] === 'start');
  const ends = sentinelEvents.filter((e) => e.type === 'screen-blank' && e.detail['state'] === 'end');
  expect(starts.length).toBeGreaterThanOrEqual(1);
  expect(ends.length).toBeGreaterThanOrEqual(1);
  const start = starts.at(-1)!;
  // the start is when the screen went black (capture clock: one sampling interval, a frame age)
  expect(Math.abs(start.atMs - blackAtMs)).toBeLessThan(2500);
  expect(start.detail['luma']).toBeLessThan(40);
  expect(track.some((e) => e.source === 'server' && e.type === 'connect')).toBe(true);
  expect(track.find((e) => e.source === 'proctor')).toMatchObject({ type: 'flag', atMs: blackAtMs, by: 'admin@e2e.test' });
  // a range around the black screen holds its start
  const around = await admin.get<StreamEventsView>(`/api/recordings/${streamId}/events?from=${blackAtMs - 3000}&to=${new Date(blackAtMs + 5000).toISOString()}`);
  expect(around.events.some((e) => e.type === 'screen-blank' && e.detail['state'] === 'start')).toBe(true);
  expect((await status()).eventsQueued).toBe(0); // every event acknowledged

  // a proctor of another exam sees none of it
  expect((await foreign.request('GET', `/api/recordings/${streamId}/events`, undefined, 404)).status).toBe(404);
  expect((await foreign.request('GET', `/api/exams/${exam.id}/alerts`, undefined, 404)).status).toBe(404);
  expect((await foreign.request('GET', `/api/exams/${exam.id}/incidents.csv`, undefined, 404)).status).toBe(404);

  console.log(`sentinel events: ${sentinelLog.filter((l) => l.includes('event ')).join(' | ')}`);
  await sentinelContext.close();
  await screenContext.close();
});
