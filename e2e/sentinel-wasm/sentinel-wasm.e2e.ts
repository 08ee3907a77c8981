import { test, expect, chromium, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFragment, parseInitSegment, readBoxes } from '@vigil/fmp4';
import { adminEnv, createExam, createSeat, loginAdmin, type ApiSession } from '../support/auth';
import { screenCaptureLaunchOptions } from '../support/chromium';
import { probeFrames } from '../support/ffprobe';
import { startServer, type RunningServer } from '../support/server';
import { waitForFastEncoder } from '../support/sentinel-encoder';

/**
 * The OpenH264 WebAssembly fallback end to end: the real Sentinel page with `?encoder=wasm`
 * captures the real X screen (headed Chromium under Xvfb, 1920x1080) while exam-like content
 * changes on it, encodes in its Worker with OpenH264-in-wasm, and uploads to the real server
 * (dist/backend/main.js, a real exam and seat with its kiosk URL), which records to disk. An
 * admin asks for a keyframe over REST once; the Sentinel's own policy adds one per 20 s. The
 * recording is then decoded with ffprobe.
 *
 * Needs the wasm build (bash tools/openh264-wasm/build.sh) and the server (node backend/build.mjs).
 * Run: xvfb-run -a -s '-screen 0 1920x1080x24' npx playwright test -c e2e/playwright.config.ts e2e/sentinel-wasm
 */
test.describe.configure({ mode: 'serial' });

const ROOT = path.resolve(__dirname, '../..');
const WASM = path.join(ROOT, 'dist', 'frontend-sentinel', 'openh264', 'openh264.wasm');
/** Longest keyframe gap the Sentinel is told to keep (keyframeInterval, seconds; 20..30). */
const KEYFRAME_INTERVAL_S = 20;
/** When the admin asks for a keyframe, ms after the content starts. */
const REQUEST_AT_MS = 8000;
/** A sample's prft (its frame's capture time) is at most this much older than its tick, ms: a capture interval (100 ms at 10 fps) and slack. */
const CAPTURE_AGE_MS = 150;
/**
 * Frames the Sentinel lets into the encoder before it skips a tick (MAX_ENCODER_QUEUE in
 * frontend-sentinel/src/app/sentinel.ts): those submitted before a keyframe request arrives
 * come out before its IDR.
 */
const ENCODER_QUEUE = 2;
/** How long the Sentinel records: the request, then one whole policy interval, and a bit. */
const RECORD_MS = REQUEST_AT_MS + KEYFRAME_INTERVAL_S * 1000 + 4000;

/** Exam content: a document with a clock and a changing paragraph, and a sliding panel. */
const CONTENT_HTML = `<!doctype html><html><head><title>exam</title><style>
  html, body { margin: 0; height: 100%; overflow: hidden; background: #fafafa; font: 20px/1.5 serif; color: #111; }
  main { padding: 40px 80px; } h1 { font: bold 36px sans-serif; }
  #panel { position: fixed; top: 420px; width: 420px; height: 260px; background: #2850c8; color: #fff; padding: 20px; }
</style></head><body><main><h1>Question <span id="q">1</span></h1><p id="text"></p><p id="clock"></p></main>
<div id="panel">Notes</div><script>
  const words = 'the of and a to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(' ');
  let n = 0;
  setInterval(() => {
    n++;
    document.getElementById('q').textContent = String(1 + Math.floor(n / 10));
    document.getElementById('clock').textContent = new Date().toISOString();
    let t = '';
    for (let i = 0; i < 160; i++) t += words[(i * 7 + n * 13 + i * i) % words.length] + ' ';
    document.getElementById('text').textContent = t;
    document.getElementById('panel').style.left = (100 + (n * 24) % 1300) + 'px';
  }, 300);
</script></body></html>`;

interface SentinelStatus {
  state: string;
  encoder: string;
  codec: string | null;
  width: number;
  height: number;
  fps: number;
  ticks: number;
  ticksSkipped: number;
  framesEncoded: number;
  keyframes: number;
  encoderKeyframes: number;
  encodeMsAvg: number;
  encodeMsMedian: number;
  encodeMsLast: number;
  bytesPerFrameAvg: number;
  streamId: string | null;
  lastError: string | null;
}

let server: RunningServer;
let admin: ApiSession;
let browser: Browser;
const consoleLines: string[] = [];

async function status(page: Page): Promise<SentinelStatus> {
  return page.evaluate(() => (window as unknown as { __vigilSentinel: SentinelStatus }).__vigilSentinel);
}

test.beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'backend', 'main.js'))) {
    execFileSync('node', ['backend/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  execFileSync('node', ['frontend-sentinel/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(WASM)) {
    throw new Error(
      `the OpenH264 WebAssembly build is missing (${path.relative(ROOT, WASM)}): run \`bash tools/openh264-wasm/build.sh\`, then this test again`,
    );
  }
  server = await startServer({ ...adminEnv() });
  admin = await loginAdmin(server);
  browser = await chromium.launch({
    ...screenCaptureLaunchOptions(),
    args: [...(screenCaptureLaunchOptions().args ?? []), '--window-size=1920,1080'],
  });
});

test.afterAll(async ({}, testInfo) => {
  await browser?.close();
  if (server) {
    if (testInfo.status !== testInfo.expectedStatus) {
      console.log(consoleLines.join('\n'));
      console.log(server.logs.join(''));
    }
    await server.stop();
  }
});

test('the OpenH264 wasm fallback records a real 1080p screen at 5 fps that ffprobe decodes, with IDRs where asked', async ({}, testInfo) => {
  const figures: Record<string, number | string> = {};

  // 1. An exam at 5 fps with one seat; its Sentinel with the fallback forced, keyframes at
  //    least every 20 s (its own policy).
  const exam = await createExam(admin, { name: 'OpenH264 wasm e2e', defaultFps: 5 });
  const seat = await createSeat(admin, exam.id, 'wasm-1');
  const sentinelContext = await browser.newContext({ viewport: null });
  const sentinel = await sentinelContext.newPage();
  sentinel.on('console', (m) => consoleLines.push(`[sentinel ${m.type()}] ${m.text()}`));
  sentinel.on('pageerror', (e) => consoleLines.push(`[sentinel pageerror] ${e.message}`));
  await sentinel.goto(`${seat.kioskUrl}&encoder=wasm&keyframeInterval=${KEYFRAME_INTERVAL_S}`);
  await expect
    .poll(async () => (await status(sentinel)).state, { timeout: 30_000, message: 'the Sentinel streams with the wasm encoder' })
    .toBe('streaming');

  // 2. Changing exam content over the whole screen.
  const contentContext = await browser.newContext({ viewport: null });
  const content = await contentContext.newPage();
  await content.setContent(CONTENT_HTML);
  await content.bringToFront();

  // The first frames can be slow (the Worker and module starting, the content page loading,
  // the cores shared with the browser and the server): the steady state begins once frames
  // come out fast.
  await waitForFastEncoder(sentinel);
  const startedAt = Date.now();
  await expect.poll(async () => (await status(sentinel)).framesEncoded, { timeout: 20_000 }).toBeGreaterThan(10);
  const early = await status(sentinel);
  expect(early).toMatchObject({ encoder: 'openh264-wasm', width: 1920, height: 1080, fps: 5, codec: 'avc1.42C028' });

  // 3. An admin asks for a keyframe; the Sentinel must encode an IDR at once.
  const streamId = early.streamId!;
  expect(streamId).toBeTruthy();
  await sentinel.waitForTimeout(Math.max(0, REQUEST_AT_MS - (Date.now() - startedAt)));
  const requestedAtMs = Date.now();
  await admin.post(`/api/streams/${streamId}/keyframe`);

  // 4. Record; then stop capturing.
  await sentinel.waitForTimeout(Math.max(0, RECORD_MS - (Date.now() - startedAt)));
  const final = await status(sentinel);
  await sentinelContext.close();
  await contentContext.close();
  await new Promise((r) => setTimeout(r, 1500)); // let the server write the tail

  // No encoder errors, and no IDR the Sentinel did not ask for (checked below).
  expect(final.lastError, 'no encoder errors').toBeNull();
  // Steady state (after the Worker and the wasm module loaded and tiered up). Speed is the
  // benchmark's job (npm run bench: 91 ms per 1080p frame on one core, docs/benchmarks.md);
  // here the screen, two Chromium pages, the server and the encoder share 2 cores, and the
  // encode time per frame varies from run to run (median 250-570 ms seen). This checks
  // liveness only: frames keep coming, at least one tick in four encoded (>= 1.25 fps).
  const skipped = final.ticksSkipped - early.ticksSkipped;
  const ticks = final.ticks - early.ticks;
  expect(skipped / ticks, `ticks skipped because the encoder was busy: ${skipped} of ${ticks}; encode ms median ${final.encodeMsMedian}, last ${final.encodeMsLast}`).toBeLessThan(0.75);
  figures['frames encoded'] = final.framesEncoded;
  figures['ticks skipped (steady state)'] = `${skipped} of ${ticks}`;
  figures['ticks skipped (from start, incl. loading the wasm)'] = `${final.ticksSkipped} of ${final.ticks}`;
  figures['encode ms/frame (submit to output, mean / median)'] = `${final.encodeMsAvg} / ${final.encodeMsMedian}`;
  figures['bytes/frame (mean of last 50)'] = final.bytesPerFrameAvg;

  // 5. The stream's metadata names the encoder (from the hello).
  const streamDir = path.join(server.dataDir, 'streams', streamId);
  const meta = JSON.parse(await readFile(path.join(streamDir, 'meta.json'), 'utf8')) as { encoder: string };
  expect(meta.encoder).toBe('openh264-wasm');

  // 6. The recording on disk: one init segment, then segments; sync flags, tfdt and prft per fragment.
  const files = (await readdir(streamDir)).filter((f) => /^\d{12}-/.test(f)).sort();
  const inits = files.filter((f) => f.endsWith('-init.mp4'));
  expect(inits).toHaveLength(1);
  const init = parseInitSegment(new Uint8Array(await readFile(path.join(streamDir, inits[0]))));
  expect(init).toMatchObject({ width: 1920, height: 1080, codec: 'avc1.42C028' });
  const parts: Uint8Array[] = [];
  const syncAt: number[] = [];
  const decodeTimes: number[] = [];
  const captureTimes: number[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(await readFile(path.join(streamDir, file)));
    parts.push(bytes);
    if (file.endsWith('-init.mp4')) continue;
    let start = 0;
    for (const box of readBoxes(bytes)) {
      if (box.type !== 'mdat') continue;
      const info = parseFragment(bytes.subarray(start, box.end));
      if (info.isSync) syncAt.push(decodeTimes.length);
      decodeTimes.push(info.baseMediaDecodeTime);
      captureTimes.push(info.captureTimeMs ?? Number.NaN);
      start = box.end;
    }
  }
  await mkdir(testInfo.outputDir, { recursive: true });
  const mp4 = path.join(testInfo.outputDir, 'recording-openh264-wasm.mp4');
  await writeFile(mp4, Buffer.concat(parts));

  // 7. ffprobe decodes every frame: Constrained Baseline, level 4.0, 1080p, IDRs exactly at the sync fragments.
  const probe = probeFrames(mp4);
  expect(probe.codec).toBe('h264');
  expect(probe.profile).toBe('Constrained Baseline');
  expect(probe.level).toBe(40);
  expect(probe.frames).toHaveLength(decodeTimes.length);
  expect(probe.frames.every((f) => f.width === 1920 && f.height === 1080)).toBe(true);
  const keyAt = probe.frames.flatMap((f, i) => (f.keyFrame ? [i] : []));
  expect(keyAt).toEqual(syncAt);
  expect(probe.frames.flatMap((f, i) => (f.pictType === 'I' ? [i] : []))).toEqual(syncAt);
  for (let i = 0; i < decodeTimes.length; i++) expect(probe.frames[i].ptsTime).toBeCloseTo(decodeTimes[i] / 90000, 3);

  // IDRs where the Sentinel asked: the first frame, the admin's request (the first frame
  // captured after it, encoded at once), then at least one per 20 s (the policy; its timer
  // restarts at every IDR). OpenH264 adds IDRs of its own at full-screen changes (scene
  // detection, e.g. when the exam page comes to the front); they are join points too.
  const keyTimes = keyAt.map((i) => probe.frames[i].ptsTime);
  const described = `IDRs at ${keyTimes.map((t) => t.toFixed(1)).join(', ')} s (${final.encoderKeyframes} by OpenH264 itself)`;
  expect(keyAt[0]).toBe(0);
  expect(keyAt.length, described).toBe(final.keyframes);
  expect(final.keyframes - final.encoderKeyframes, `requested IDRs: ${described}`).toBeGreaterThanOrEqual(3);
  // prft is when a sample's frame was captured: the IDR encoded at once on the request samples
  // the latest captured frame, up to a capture interval (100 ms) older than the request
  const sinceMs = requestedAtMs - CAPTURE_AGE_MS;
  const requested = keyAt.find((i) => captureTimes[i] >= sinceMs);
  expect(requested, `an IDR after the request (${described})`).toBeDefined();
  expect(captureTimes[requested!] - requestedAtMs, 'request -> IDR capture, ms').toBeLessThan(600);
  // the IDR is the first frame submitted after the Sentinel got the request. Sampled after
  // sinceMs and still before it may come: the frames in the encoder when the request arrived
  // (at most ENCODER_QUEUE; a frame takes 250-570 ms here) and one already out by then (sinceMs
  // reaches CAPTURE_AGE_MS back). A bound of 1 failed one CI run with 2 frames between.
  const firstAfterRequest = captureTimes.findIndex((t) => t >= sinceMs);
  expect(requested! - firstAfterRequest, 'frames between the request and the IDR').toBeLessThanOrEqual(1 + ENCODER_QUEUE);
  figures['frames between the keyframe request and its IDR'] = requested! - firstAfterRequest;
  const lastPts = probe.frames[probe.frames.length - 1].ptsTime;
  const gaps = [...keyTimes.slice(1), lastPts].map((t, i) => t - keyTimes[i]);
  expect(Math.max(...gaps), `longest stretch without an IDR; ${described}`).toBeLessThanOrEqual(KEYFRAME_INTERVAL_S + 0.5);
  figures['keyframe request -> IDR capture, ms'] = Math.round(captureTimes[requested!] - requestedAtMs);
  figures['IDRs made by OpenH264 itself (scene changes)'] = final.encoderKeyframes;
  // 5 fps: in the steady state, frames sit on the frame clock's 0.2 s grid (a tick skipped
  // while the encoder was busy leaves a gap of 0.4 s, 0.6 s...), except the requested IDR,
  // captured between ticks. (At the start the clock ran at 1 fps until the welcome said 5.)
  const spacing = probe.frames.slice(1).map((f, i) => f.ptsTime - probe.frames[i].ptsTime);
  const gridGaps = spacing.filter((_, i) => i >= early.framesEncoded && i !== requested! - 1 && i !== requested!);
  expect(gridGaps.length).toBeGreaterThan(50);
  const offGrid = gridGaps.filter((g) => Math.abs(g / 0.2 - Math.round(g / 0.2)) > 0.01 || Math.round(g / 0.2) < 1);
  expect(offGrid, 'gaps off the 0.2 s grid').toEqual([]);
  expect(Math.min(...gridGaps)).toBeCloseTo(0.2, 3);
  figures['frame gaps of 0.2 s (5 fps) / all'] = `${gridGaps.filter((g) => Math.round(g / 0.2) === 1).length} / ${spacing.length}`;

  figures['recorded frames'] = probe.frames.length;
  figures['IDRs at (s)'] = keyTimes.map((t) => t.toFixed(1)).join(', ');
  figures['recording bytes'] = parts.reduce((n, p) => n + p.length, 0);
  console.log('OPENH264 WASM E2E FIGURES ' + JSON.stringify(figures, null, 2));
  await testInfo.attach('figures', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
});
