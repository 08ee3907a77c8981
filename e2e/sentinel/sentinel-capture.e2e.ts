import { test, expect, chromium, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { probeFrames } from '../support/ffprobe';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFragment, parseInitSegment, type FragmentInfo } from '@vigil/fmp4';
import { MediaKind } from '@vigil/protocol';
import { screenCaptureLaunchOptions } from '../support/chromium';
import { FakeSentinelServer, type StoredMessage } from './fake-sentinel-server';

/**
 * The Sentinel page on a real screen: headed Chromium under Xvfb (1920x1080) captures the
 * entire screen, encodes H.264 with WebCodecs and uploads fMP4 over a real WebSocket to a
 * tiny protocol server. The upload is then decoded with ffprobe.
 *
 * Run: node frontend-sentinel/build.mjs (done here too), then
 *   xvfb-run -a -s '-screen 0 1920x1080x24' npx playwright test -c e2e/playwright.config.ts e2e/sentinel
 */

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist', 'frontend-sentinel');

/**
 * Exam content: a large colour block (half the screen) changing 4 times a second, plus a
 * running clock. Not a full-screen colour flip: OpenH264 (inside Chromium's WebCodecs) inserts
 * IDR frames of its own on whole-frame scene changes (measured: every 17th frame when every
 * frame is a new full-screen colour), which would blur what this test checks: the Sentinel's
 * own keyframe decisions.
 */
const CONTENT_HTML = `<!doctype html><html><head><title>exam content</title><style>
  html, body { margin: 0; height: 100%; overflow: hidden; font: 40px sans-serif; background: #f4f4f4; }
  #block { position: fixed; left: 25%; top: 25%; width: 50%; height: 50%; }
  #clock { position: fixed; left: 5%; top: 5%; }
</style></head><body><div id="clock"></div><div id="block"></div><script>
  const colours = ['#e61e1e', '#1ec83c', '#1e3ce6', '#f0dc1e', '#dc28dc', '#28dce6'];
  let i = 0;
  setInterval(() => {
    document.getElementById('block').style.background = colours[i++ % colours.length];
    document.getElementById('clock').textContent = 'Question ' + i + ' - ' + new Date().toISOString();
  }, 250);
</script></body></html>`;

interface StatusSnapshot {
  state: string;
  connection: string;
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
  codec: string | null;
  fps: number;
  framesEncoded: number;
  keyframes: number;
  encoderKeyframes: number;
  encodeMsAvg: number;
  encodeMsMedian: number;
  bytesPerFrameAvg: number;
  bytesSent: number;
  reconnects: number;
  queueDepth: number;
  lastError: string | null;
}

let server: FakeSentinelServer;
let browser: Browser;
const consoleLines: string[] = [];

async function status(page: Page): Promise<StatusSnapshot> {
  return page.evaluate(() => (window as unknown as { __vigilSentinel: StatusSnapshot }).__vigilSentinel);
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function fragmentsAfter(sequence: number): StoredMessage[] {
  return server.fragments().filter((f) => f.sequence > sequence);
}

function lastSequence(): number {
  return server.fragments().at(-1)?.sequence ?? 0;
}

test.beforeAll(async () => {
  execFileSync('node', ['frontend-sentinel/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  server = new FakeSentinelServer(DIST, CONTENT_HTML);
  await server.start();
  browser = await chromium.launch({
    ...screenCaptureLaunchOptions(),
    // Throttle background windows like an ordinary Chrome does: the Sentinel sits behind the exam.
    ignoreDefaultArgs: ['--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-renderer-backgrounding'],
  });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    console.log(consoleLines.join('\n'));
    console.log('server problems:', server?.problems);
  }
});

test.afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('captures the entire screen as H.264 fMP4, obeys keyframe and set-fps, and resends after a reconnect', async ({}, testInfo) => {
  const figures: Record<string, number | string> = {};

  // 1. The Sentinel page starts capturing and connects.
  const sentinelContext = await browser.newContext({ viewport: null });
  const sentinel = await sentinelContext.newPage();
  sentinel.on('console', (m) => consoleLines.push(`[sentinel ${m.type()}] ${m.text()}`));
  await sentinel.goto(`${server.baseUrl}/sentinel/?exam=exam-e2e&seat=seat-1&token=e2e-token`);
  await expect.poll(async () => (await status(sentinel)).state, { timeout: 20_000 }).toBe('streaming');

  // 2. Changing exam content on top of it, covering the screen.
  const contentContext = await browser.newContext({ viewport: null });
  const content = await contentContext.newPage();
  await content.goto(`${server.baseUrl}/content/`);
  await content.bringToFront();

  // 3. 1 fps (welcome.fps) for a few frames.
  await waitFor('4 fragments at 1 fps', () => server.fragments().length >= 4);

  // 4. Keyframe request 300 ms after a frame: the next fragment is an IDR, encoded at once.
  const beforeTick = lastSequence();
  await waitFor('the next 1 fps frame', () => lastSequence() > beforeTick, 3_000);
  await new Promise((r) => setTimeout(r, 300));
  const beforeRequest = lastSequence();
  const requestedAt = Date.now();
  server.send({ type: 'keyframe', reason: 'admin' });
  await waitFor('the requested keyframe', () => fragmentsAfter(beforeRequest).length >= 1, 3_000);
  const requested = fragmentsAfter(beforeRequest)[0]!;
  figures['keyframe request -> IDR fragment received, ms'] = requested.receivedAtMs - requestedAt;
  expect(requested.join, 'first fragment after a keyframe request is a join fragment').toBe(true);
  expect(requested.receivedAtMs - requestedAt, 'encoded at once, not at the next 1 s tick').toBeLessThan(600);
  await waitFor('2 more frames at 1 fps', () => fragmentsAfter(requested.sequence).length >= 2, 4_000);

  // 5. set-fps 5: a new segment with an IDR, then 0.2 s spacing.
  const beforeFps = lastSequence();
  server.send({ type: 'set-fps', fps: 5, reason: 'admin' });
  await waitFor('10 frames at 5 fps', () => fragmentsAfter(beforeFps).length >= 10, 6_000);
  const fpsChange = fragmentsAfter(beforeFps)[0]!;

  // 6. Reconnect: the server stops acknowledging, then closes the socket. The Sentinel must
  //    resume the stream and resend everything after the last ack, with no gap.
  server.autoAck = false;
  const ackedBefore = server.acked;
  await waitFor('5 unacknowledged fragments', () => server.contiguous >= ackedBefore + 5, 4_000);
  server.dropConnection();
  await waitFor('the first connection to close', () => server.events.some((e) => e.type === 'close' && e.connection === 1), 5_000);
  const highestBeforeDrop = server.contiguous;
  server.autoAck = true;
  await waitFor('a second connection with hello', () => server.events.some((e) => e.type === 'hello' && e.connection === 2), 15_000);
  await waitFor('5 new frames after the reconnect', () => server.contiguous >= highestBeforeDrop + 5, 6_000);
  await expect.poll(async () => (await status(sentinel)).queueDepth, { timeout: 5_000 }).toBeLessThan(3);

  const final = await status(sentinel);
  await sentinelContext.close();
  await contentContext.close();

  // --- the wire ---
  expect(server.problems, 'no protocol problems (gaps, altered resends, media before hello)').toEqual([]);
  const hellos = server.events.filter((e) => e.type === 'hello');
  expect(hellos).toHaveLength(2);
  const [hello1, hello2] = hellos as Array<Extract<(typeof hellos)[number], { type: 'hello' }>>;
  expect(hello1!.hello).toMatchObject({ protocol: 1, examId: 'exam-e2e', seatId: 'seat-1', token: 'e2e-token', encoder: 'webcodecs' });
  expect(hello1!.hello.streamId).toBeUndefined();
  expect(hello2!.hello.streamId, 'resumes its stream').toBe('st-e2e-1');
  const secondConnectionMedia = server.events.filter((e) => e.type === 'media' && e.connection === 2);
  expect(secondConnectionMedia[0], 'resend starts right after the last ack').toMatchObject({ sequence: ackedBefore + 1 });
  const duplicates = secondConnectionMedia.filter((e) => e.type === 'media' && e.duplicate).length;
  expect(duplicates, 'everything received but unacknowledged was resent').toBe(highestBeforeDrop - ackedBefore);
  figures['fragments resent after reconnect'] = duplicates;
  figures['reconnect: close -> hello, ms'] =
    hello2!.atMs - server.events.find((e) => e.type === 'close' && e.connection === 1)!.atMs;
  const statuses = server.events.filter((e) => e.type === 'status');
  expect(statuses.length, 'status every 2 s').toBeGreaterThanOrEqual(4);

  const sequences = [...server.stored.keys()].sort((a, b) => a - b);
  expect(sequences, 'sequence numbers 1..N with no gap').toEqual(sequences.map((_, i) => i + 1));
  const initMessages = [...server.stored.values()].filter((m) => m.kind === MediaKind.InitSegment);
  expect(initMessages.map((m) => m.sequence)).toEqual([1]);
  const init = parseInitSegment(initMessages[0]!.payload);
  expect(init).toMatchObject({ width: 1920, height: 1080, timescale: 90_000, codec: 'avc1.42C028' });

  // --- fragment timing (tfdt, 90 kHz) ---
  const fragments = server.fragments();
  const infos: FragmentInfo[] = fragments.map((f) => parseFragment(f.payload));
  infos.forEach((info, i) => expect(info.sequenceNumber).toBe(fragments[i]!.sequence));
  const index = (seq: number) => fragments.findIndex((f) => f.sequence === seq);
  const iRequested = index(requested.sequence);
  const iFps = index(fpsChange.sequence);
  const tfdt = infos.map((f) => f.baseMediaDecodeTime);
  const gaps = tfdt.slice(1).map((t, i) => t - tfdt[i]!);
  testInfo.annotations.push({ type: 'tfdt gaps', description: JSON.stringify({ iRequested, iFps, gaps }) });
  console.log('tfdt gaps (90 kHz):', JSON.stringify({ iRequested, iFps, gaps }));
  // 1 fps segment(s): exact 90000-tick spacing, except the off-grid requested keyframe.
  for (let i = 1; i < iFps; i++) {
    if (i === iRequested) expect(gaps[i - 1], 'requested IDR comes before the next tick').toBeLessThan(90_000 - 90 * 100);
    else expect(gaps[i - 1]).toBe(90_000);
  }
  expect(gaps[iFps - 1], 'fps change starts at once').toBeLessThan(90_000);
  for (let i = iFps + 1; i < tfdt.length; i++) expect(gaps[i - 1]).toBe(18_000);
  infos.forEach((f, i) => expect(f.samples[0]!.duration).toBe(i < iFps ? 90_000 : 18_000));
  // prft: capture wall clock, shortly before arrival (resent ones arrive later)
  for (const [i, f] of infos.entries()) {
    const lag = fragments[i]!.receivedAtMs - f.captureTimeMs!;
    expect(lag).toBeGreaterThan(-50);
    expect(lag).toBeLessThan(5_000);
  }

  // --- keyframes: start, on request, on fps change (and on the 25 s interval if reached) ---
  const joinIndexes = fragments.map((f, i) => (f.join ? i : -1)).filter((i) => i >= 0);
  const expectedJoins = new Set([0, iRequested, iFps]);
  for (const i of joinIndexes) {
    if (expectedJoins.has(i)) continue;
    const previous = joinIndexes.filter((j) => j < i).at(-1)!;
    expect((tfdt[i]! - tfdt[previous]!) / 90_000, `unexpected keyframe at fragment ${i}`).toBeGreaterThan(24);
  }
  for (const i of expectedJoins) expect(joinIndexes).toContain(i);

  // --- decode the whole upload with ffprobe ---
  const file = testInfo.outputPath('sentinel-upload.mp4');
  await writeFile(file, Buffer.concat([initMessages[0]!.payload, ...fragments.map((f) => f.payload)]));
  const probe = probeFrames(file);
  expect({ codec: probe.codec, profile: probe.profile, level: probe.level }).toEqual({ codec: 'h264', profile: 'Constrained Baseline', level: 40 });
  expect(probe.frames).toHaveLength(fragments.length);
  probe.frames.forEach((f) => expect([f.width, f.height]).toEqual([1920, 1080]));
  const keyFrames = probe.frames.map((f, i) => (f.keyFrame ? i : -1)).filter((i) => i >= 0);
  expect(keyFrames, 'decoded key frames are exactly the join fragments').toEqual(joinIndexes);
  expect(keyFrames.every((i) => probe.frames[i]!.pictType === 'I')).toBe(true);
  const pts = probe.frames.map((f) => f.ptsTime);
  const spacing = (from: number, to: number) => (pts[to - 1]! - pts[from]!) / (to - 1 - from);
  expect(spacing(iRequested, iFps)).toBeCloseTo(1.0, 3);
  expect(spacing(iFps, pts.length)).toBeCloseTo(0.2, 3);

  // --- figures ---
  const slow = fragments.slice(0, iFps).filter((f) => !f.join).map((f) => f.payload.byteLength);
  const fast = fragments.slice(iFps).filter((f) => !f.join).map((f) => f.payload.byteLength);
  const keys = fragments.filter((f) => f.join).map((f) => f.payload.byteLength);
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  const fastSeconds = (tfdt.at(-1)! - tfdt[iFps]!) / 90_000 + 0.2;
  Object.assign(figures, {
    'encoded size': `${final.width}x${final.height} (screen ${final.sourceWidth}x${final.sourceHeight})`,
    codec: final.codec ?? '',
    'encode latency, ms (median / mean of last 50)': `${final.encodeMsMedian} / ${final.encodeMsAvg}`,
    'IDR fragment bytes (mean)': mean(keys),
    'delta fragment bytes at 1 fps (mean)': mean(slow),
    'delta fragment bytes at 5 fps (mean)': mean(fast),
    'bitrate at 5 fps incl. IDR, kbit/s': Math.round(
      (fragments.slice(iFps).reduce((a, f) => a + f.payload.byteLength, 0) * 8) / fastSeconds / 1000,
    ),
    fragments: fragments.length,
    'keyframes (status)': final.keyframes,
    'of which made by the encoder itself': final.encoderKeyframes,
    'reconnects (status)': final.reconnects,
  });
  console.log('Sentinel e2e figures:', JSON.stringify(figures, null, 2));
  await testInfo.attach('figures.json', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
  expect(final).toMatchObject({ width: 1920, height: 1080, codec: 'avc1.42C028', fps: 5 });
  expect(final.reconnects).toBeGreaterThanOrEqual(1);
});

// This fake server serves only the page and its script (no openh264/ folder), like a deployment
// built without the WebAssembly fallback: forcing it must explain that instead of starting.
test('explains what is wrong instead of starting: forced WebAssembly encoder on a server without it, bad URL', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/sentinel/?exam=exam-e2e&seat=seat-2&token=t&encoder=wasm`);
  await expect.poll(async () => (await status(page)).state).toBe('error');
  expect((await status(page)).lastError).toContain('WebAssembly encoder (&encoder=wasm) is not available');
  await expect(page.locator('#sentinel-alert')).toContainText('not available in this build');

  await page.goto(`${server.baseUrl}/sentinel/?seat=seat-2`);
  await expect.poll(async () => (await status(page)).state).toBe('error');
  await expect(page.locator('#sentinel-alert')).toContainText('exam must be 1 to 128 characters');
  await context.close();
});
