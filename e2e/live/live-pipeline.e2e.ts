import { test, expect, chromium, Browser, Page } from '@playwright/test';
import { mkdir, writeFile, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseFragment, readBoxes } from '@vigil/fmp4';
import { screenCaptureLaunchOptions, viewerLaunchOptions } from '../support/chromium';
import { startServer, RunningServer } from '../support/server';
import { probeFrames } from '../support/ffprobe';
import { COLOUR_PAGE_HTML, ColourChange, coloursShownBetween, nearestColour } from './colour-page';
import { ApiSession, RecordingIndex, adminEnv, createExam, createSeat, loginAdmin, sessionCookie } from '../support/auth';
import { waitForFastEncoder } from '../support/sentinel-encoder';

/**
 * The whole product on real input: a real screen (Xvfb) with changing content, the
 * Sentinel capturing it in headed Chromium, the real server, and a Proctor portal in
 * another browser playing it with MSE. Figures go to the test output for the issue note.
 */
test.describe.configure({ mode: 'serial' });

let server: RunningServer;
let captureBrowser: Browser;
let viewerBrowser: Browser;
let sentinel: Page;
let screen: Page;
let streamId: string;
let admin: ApiSession;

interface PlayerSnapshot {
  latencyMs: number | null;
  width: number;
  height: number;
  currentTime: number;
  bufferedEnd: number;
  appended: number;
}

async function player(page: Page): Promise<PlayerSnapshot> {
  return page.evaluate(() => {
    const p = (window as unknown as { __vigilPlayer?: Record<string, unknown> }).__vigilPlayer ?? {};
    const video = document.querySelector('video');
    return {
      latencyMs: (p['latencyMs'] as number | null | undefined) ?? null,
      width: video?.videoWidth ?? 0,
      height: video?.videoHeight ?? 0,
      currentTime: video?.currentTime ?? 0,
      bufferedEnd: video && video.buffered.length ? video.buffered.end(video.buffered.length - 1) : 0,
      appended: (p['appended'] as number | undefined) ?? 0,
    };
  });
}

/**
 * Opens the portal's live view of the stream and waits for the first decoded frame on
 * screen (requestVideoFrameCallback in the player).
 * @returns pageMs: from navigation (page load, WebSocket, subscribe, join) to the first frame;
 *          joinMs: from the page's subscribe (sent as soon as its socket opens) to the first frame
 */
async function openLiveView(page: Page): Promise<{ pageMs: number; joinMs: number }> {
  const started = Date.now();
  await page.goto(`${server.baseUrl}/streams/${streamId}`);
  const startup = () =>
    page.evaluate(() => ((window as unknown as { __vigilPlayer?: { startupMs: number | null } }).__vigilPlayer?.startupMs ?? null));
  await expect.poll(startup, { timeout: 20_000, intervals: [50] }).not.toBeNull();
  const pageMs = Date.now() - started;
  // the portal subscribes as soon as its socket opens, while the page's code loads (mark vigil:subscribe-sent)
  const joinMs = await page.evaluate(() => {
    const p = (window as unknown as { __vigilPlayer: { startupMs: number; firstFrameAtMs?: number | null } }).__vigilPlayer;
    const sent = performance.getEntriesByName('vigil:subscribe-sent', 'mark')[0]?.startTime;
    return sent !== undefined && p.firstFrameAtMs != null ? p.firstFrameAtMs - sent : p.startupMs;
  });
  return { pageMs, joinMs: Math.round(joinMs) };
}

/**
 * The colour at the centre of the proctor's video (read back from a canvas) and the capture
 * time of the frame shown (the player's prft-based `frameAgeMs`), taken in one look at the
 * page so both describe the same frame.
 */
async function shownFrame(page: Page): Promise<{ rgb: number[]; capturedAtMs: number | null }> {
  return page.evaluate(async () => {
    const video = document.querySelector('video')!;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d')!;
    const shown = () => (window as unknown as { __vigilPlayer?: { shownCaptureMs: number | null } }).__vigilPlayer?.shownCaptureMs ?? null;
    const twoFrames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    // The picture can change a rendering step before the player learns of it (its
    // requestVideoFrameCallback runs in the next one): read the frame's capture time before
    // drawing and again two animation frames later, and keep a look only when both agree.
    let look = { rgb: [0, 0, 0], capturedAtMs: shown() };
    for (let attempt = 0; attempt < 10; attempt++) {
      const before = shown();
      ctx.drawImage(video, 0, 0);
      const rgb = Array.from(ctx.getImageData(Math.floor(canvas.width / 2), Math.floor(canvas.height * 0.6), 1, 1).data.slice(0, 3));
      await twoFrames();
      look = { rgb, capturedAtMs: before };
      if (before !== null && before === shown()) break;
    }
    return look;
  });
}

/** How late the screen capture may pick a change of the screen up, ms (see the colour looks). */
const CAPTURE_SLACK_MS = 500;

test.beforeAll(async () => {
  // VIGIL_FOCUS_FPS=1: the proctors' focused views leave the exam's 1 fps alone here (the test checks
  // 1 fps, then the admin's set-fps); raising the rate on focus is the exam wall's e2e
  server = await startServer({ ...adminEnv(), VIGIL_JOIN_MAX_AGE_SECONDS: '3', VIGIL_FOCUS_FPS: '1' });
  admin = await loginAdmin(server);
  captureBrowser = await chromium.launch(screenCaptureLaunchOptions({ width: 1920, height: 1080 }));
  viewerBrowser = await chromium.launch(viewerLaunchOptions(true));
});

test.afterAll(async () => {
  await captureBrowser?.close();
  await viewerBrowser?.close();
  if (server) {
    if (test.info().status !== test.info().expectedStatus) console.log(server.logs.join(''));
    await server.stop();
  }
});

/** Runs once per encoder: WebCodecs, then the OpenH264 WebAssembly fallback forced with `&encoder=wasm`. */
for (const encoder of ['webcodecs', 'openh264-wasm'] as const) {
test(`a real screen reaches a proctor live, and every frame is recorded (${encoder})`, async () => {
  const figures: Record<string, string | number> = {};

  // 1. Sentinel: opens its seat's kiosk URL, captures the entire screen at the exam's 1 fps,
  //    with forced keyframes at most every 30 s
  const exam = await createExam(admin, { name: `Live pipeline e2e (${encoder})`, defaultFps: 1 });
  const seat = await createSeat(admin, exam.id, 'S-42', 'Student 42');
  const sentinelContext = await captureBrowser.newContext({ viewport: null });
  sentinel = await sentinelContext.newPage();
  await sentinel.goto(`${seat.kioskUrl}&keyframeInterval=30${encoder === 'openh264-wasm' ? '&encoder=wasm' : ''}`);
  await expect
    .poll(() => sentinel.evaluate(() => (window as unknown as { __vigilSentinel?: { state?: string } }).__vigilSentinel?.state), { timeout: 20_000 })
    .toBe('streaming');

  // 2. Real content on top: a full-window colour block changing every second
  const screenContext = await captureBrowser.newContext({ viewport: null });
  screen = await screenContext.newPage();
  await screen.setContent(COLOUR_PAGE_HTML);
  await screen.bringToFront();
  // The wasm encoder needs 0.3-0.45 s per frame of this content with one browser on the
  // machine, but 0.55-1.2 s here, where the screen, two browsers and the server share the 2
  // cores: before measuring, wait until it keeps up with 1 fps (3 frames in a row under 1 s).
  await waitForFastEncoder(sentinel, { maxMs: 1000, timeoutMs: 60_000 });

  const examStreams = async () => (await admin.get<{ streamId: string; examId: string }[]>('/api/streams')).filter((x) => x.examId === exam.id);
  await expect.poll(async () => (await examStreams()).length, { timeout: 10_000 }).toBe(1);
  const [summary] = await examStreams();
  streamId = summary.streamId;
  expect(summary).toMatchObject({ examId: exam.id, seatId: seat.id, state: 'live', encoder });
  figures['encoder'] = encoder;

  // 3. A proctor watches: right size, the pixels match the screen, latency is low
  const viewerContext = async () => {
    const context = await viewerBrowser.newContext();
    await context.addCookies([sessionCookie(admin)]);
    return context;
  };
  const proctorA = await (await viewerContext()).newPage();
  const firstJoin = await openLiveView(proctorA);
  figures['first join: ms from subscribe to first frame'] = firstJoin.joinMs;
  figures['first join: ms from page navigation to first frame'] = firstJoin.pageMs;
  const a = await player(proctorA);
  expect([a.width, a.height]).toEqual([1920, 1080]);

  // let the player settle at the live edge (it starts from the join fragment, which may be seconds old)
  await expect.poll(async () => (await player(proctorA)).latencyMs ?? Infinity, { timeout: 15_000 }).toBeLessThan(1500);
  // Each look: the video's colour is one the screen showed when that frame was captured (prft),
  // allowing CAPTURE_SLACK_MS for the screen capture to pick the change up; a colour is on screen
  // from when the page set it until the page had painted the next one (a loaded machine paints
  // late). Comparing with the capture time, not with "now", keeps the check exact whatever the
  // encoder's delay. One look of the eight may miss: the CI machine, its wasm encoder taking a
  // core, once showed a frame 0.66 s older than its stamp. A capture time off by a whole frame
  // (1 s, colours a second apart) misses about every other look: 2 misses or more in 8 looks in
  // 96 % of runs.
  const seen = new Set<string>();
  const misses: string[] = [];
  for (let i = 0; i < 8; i++) {
    await proctorA.waitForTimeout(1000);
    const { rgb, capturedAtMs } = await shownFrame(proctorA);
    const { name, distance } = nearestColour(rgb);
    expect(distance, `video centre ${rgb} should be one of the screen's colours`).toBeLessThan(60);
    expect(capturedAtMs, 'the player knows the capture time of the frame it shows').not.toBeNull();
    const log = (await screen.evaluate(() => (window as unknown as { colourLog: ColourChange[] }).colourLog)) as ColourChange[];
    const onScreen = coloursShownBetween(log, capturedAtMs! - CAPTURE_SLACK_MS, capturedAtMs!);
    const diag = async () =>
      JSON.stringify({
        log: log.slice(-6),
        player: await proctorA.evaluate(() => (window as unknown as { __vigilPlayer?: unknown }).__vigilPlayer),
        sentinel: await sentinel.evaluate(() => (window as unknown as { __vigilSentinel?: unknown }).__vigilSentinel),
      });
    if (!onScreen.includes(name)) misses.push(`video shows ${name}, captured at ${capturedAtMs}; the screen showed ${onScreen} then; ${await diag()}`);
    seen.add(name);
  }
  expect(misses.length, `looks whose colour was not on screen when captured:\n${misses.join('\n')}`).toBeLessThanOrEqual(1);
  figures['looks whose colour was not on screen at the capture time (at most 1 of 8)'] = misses.length;
  expect(seen.size, 'the video follows the colour changes').toBeGreaterThanOrEqual(3);
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const l = (await player(proctorA)).latencyMs;
    if (l !== null) latencies.push(l);
    await proctorA.waitForTimeout(500);
  }
  expect(latencies.length).toBeGreaterThan(0);
  const medianLatency = latencies.sort((x, y) => x - y)[Math.floor(latencies.length / 2)];
  // a figure for the log; latency is measured by the glass-to-glass benchmark, not asserted here
  figures['portal latency figure at 1 fps, ms (median of 5)'] = Math.round(medianLatency);

  // 4. A proctor joining 25 s after the last keyframe gets a fresh IDR asked for at once
  //    (the Sentinel's own keyframe interval is 30 s here, so none comes in between)
  const lastJoinStartMs = async (): Promise<number> => {
    const index = await admin.get<RecordingIndex>(`/api/recordings/${streamId}`);
    return index.parts.at(-1)!.segments.filter((s) => s.join).at(-1)!.startMs;
  };
  const wait = (await lastJoinStartMs()) + 25_000 - Date.now();
  if (wait > 0) await proctorA.waitForTimeout(wait);
  const keyframeAge = Date.now() - (await lastJoinStartMs());
  figures['age of the last keyframe at the late join, s'] = Math.round(keyframeAge / 100) / 10;
  const events = await readFile(path.join(server.dataDir, 'streams', streamId, 'events.jsonl'), 'utf8');
  expect(keyframeAge, `events: ${events}`).toBeGreaterThanOrEqual(24_500);
  const proctorB = await (await viewerContext()).newPage();
  const lateJoinAtMs = Date.now();
  const lateJoin = await openLiveView(proctorB);
  figures['late join (25 s after keyframe): ms from subscribe to first frame'] = lateJoin.joinMs;
  figures['late join (25 s after keyframe): ms from page navigation to first frame'] = lateJoin.pageMs;
  // Functional: the join asked the Sentinel for an IDR (it did not wait for the next scheduled one),
  // and the first frame came from a join fragment newer than the late join. Join time itself is a
  // benchmark figure (e2e/bench/glass-to-glass.bench.ts), not a bound here.
  const joinEvents = (await readFile(path.join(server.dataDir, 'streams', streamId, 'events.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { atMs: number; type: string; reason?: string });
  expect(joinEvents.some((e) => e.type === 'keyframe' && e.reason === 'viewer-join' && e.atMs >= lateJoinAtMs)).toBe(true);
  expect(await lastJoinStartMs()).toBeGreaterThanOrEqual(lateJoinAtMs);

  // 5. set-frame-rate changes the recorded frame spacing
  const ackedSequence = () =>
    sentinel.evaluate(() => (window as unknown as { __vigilSentinel: { lastAckedSequence: number } }).__vigilSentinel.lastAckedSequence);
  const ackedBeforeChange = await ackedSequence();
  const fpsChangedAtMs = Date.now();
  const put = await admin.request('PUT', `/api/streams/${streamId}/fps`, { fps: 5 });
  expect(put.status).toBe(200);
  // Wait for frames, not for a time: 20 more on disk (about 4 s at 5 fps; longer when a
  // software encoder shares the 2 cores with the browsers and skips ticks).
  await expect.poll(ackedSequence, { timeout: 30_000 }).toBeGreaterThanOrEqual(ackedBeforeChange + 20);
  const fast = await player(proctorB);
  expect(fast.width).toBe(1920);

  // 6. Stop capturing; the recording decodes with the expected frames and key frames
  await sentinelContext.close();
  await proctorA.waitForTimeout(1500);
  const finalIndex = await admin.get<RecordingIndex>(`/api/recordings/${streamId}`);
  expect(finalIndex.parts).toHaveLength(1);
  const streamDir = path.join(server.dataDir, 'streams', streamId);
  const expectedKeyIndexes: number[] = [];
  const decodeTimes: number[] = [];
  for (const segment of finalIndex.parts[0].segments) {
    const bytes = new Uint8Array(await readFile(path.join(streamDir, segment.file)));
    let start = 0;
    for (const box of readBoxes(bytes)) {
      if (box.type !== 'mdat') continue;
      const info = parseFragment(bytes.subarray(start, box.end));
      if (info.isSync) expectedKeyIndexes.push(decodeTimes.length);
      decodeTimes.push(info.baseMediaDecodeTime);
      start = box.end;
    }
  }
  await mkdir(test.info().outputDir, { recursive: true });
  const mp4 = path.join(test.info().outputDir, 'recording.mp4');
  const file = await fetch(`${server.baseUrl}/api/recordings/${streamId}/recording.mp4`, { headers: { cookie: admin.cookie! } });
  expect(file.status).toBe(200);
  await writeFile(mp4, new Uint8Array(await file.arrayBuffer()));
  const probe = probeFrames(mp4);
  expect(probe.codec).toBe('h264');
  expect(probe.profile).toBe('Constrained Baseline');
  expect(probe.frames).toHaveLength(decodeTimes.length);
  expect(probe.frames.every((f) => f.width === 1920 && f.height === 1080)).toBe(true);
  const keyIndexes = probe.frames.flatMap((f, i) => (f.keyFrame ? [i] : []));
  expect(keyIndexes).toEqual(expectedKeyIndexes);
  expect(keyIndexes.length).toBeGreaterThanOrEqual(3); // start, late join, fps change
  for (let i = 0; i < decodeTimes.length; i++) expect(probe.frames[i].ptsTime).toBeCloseTo(decodeTimes[i] / 90000, 3);

  // frame spacing: ~1 s before the fps change, 0.2 s after it
  const startMs = finalIndex.parts[0].segments[0].startMs;
  const spacing = probe.frames.slice(1).map((f, i) => ({ atMs: startMs + f.ptsTime * 1000, gap: f.ptsTime - probe.frames[i].ptsTime }));
  const before = spacing.filter((s) => s.atMs < fpsChangedAtMs - 1500).map((s) => s.gap);
  const after = spacing.filter((s) => s.atMs > fpsChangedAtMs + 1500).map((s) => s.gap);
  expect(before.length).toBeGreaterThan(10);
  expect(after.length).toBeGreaterThan(5);
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  expect(median(before)).toBeCloseTo(1, 1);
  expect(median(after)).toBeCloseTo(0.2, 2);
  figures['recorded frames'] = probe.frames.length;
  figures['key frames at'] = keyIndexes.join(',');
  figures['files in the stream folder'] = (await readdir(streamDir)).length;

  console.log('LIVE PIPELINE FIGURES ' + JSON.stringify(figures, null, 2));
  await test.info().attach('figures', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
  await screenContext.close();
});
}
