/**
 * Seek time in the portal's recording review (issue 9, performance), printed as a markdown
 * section by `npm run bench`.
 *
 * A 3-hour recording at 1 fps (10,800 frames of real H.264, 1280x720, an IDR every 25 s) is
 * uploaded through the real protocol as fast as the server acknowledges it (capture times
 * spaced 1 s apart, ending now), the stream is ended, and the review page opens it in
 * headless Chromium. Each trial types a random wall-clock time into "Jump" and measures, in
 * the page, from the click to the first animation frame at which the player has finished
 * seeking and shows the frame captured at (within one frame of) that time: the segment file
 * fetched, appended, decoded from its IDR and painted. 20 trials; p50, p95, max.
 * Goal (issue 9): p50 ≤ 300 ms. Needs the builds (`npx nx run-many -t build`).
 */
import { chromium } from '@playwright/test';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { writeFragment, writeInitSegment } from '@vigil/fmp4';
import { MediaFlags, MediaKind, encodeControl, encodeMediaMessage, parseServerToSentinel } from '@vigil/protocol';
import { startServer } from '../support/server';
import { adminEnv, createExam, createSeat, loginAdmin, sessionCookie } from '../support/auth';
import { viewerLaunchOptions } from '../support/chromium';
import { encodeTestVideo } from '../player/h264-source';

const ROOT = path.resolve(__dirname, '../..');
const HOURS = 3;
const FRAMES = HOURS * 3600;
const GOP = 25;
const TRIALS = 20;

/** Uploads the whole recording as fast as acks come; resolves with the stream id and the first capture time. */
async function upload(baseUrl: string, seat: { token: string; examId: string; id: string }): Promise<{ streamId: string; t0: number }> {
  const video = encodeTestVideo({ width: 1280, height: 720, fps: 1, frames: GOP * 2, gop: GOP, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/ws/sentinel', { headers: { origin: baseUrl } });
  let streamId = '';
  let acked = 0;
  const welcomed = new Promise<void>((resolve, reject) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const m = parseServerToSentinel(String(data));
      if (m.type === 'welcome') {
        streamId = m.streamId;
        resolve();
      } else if (m.type === 'ack') acked = Math.max(acked, m.sequence);
      else if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
    });
    ws.on('error', reject);
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(encodeControl({ type: 'hello', protocol: 1, token: seat.token, examId: seat.examId, seatId: seat.id, encoder: 'webcodecs', userAgent: 'vigil-bench', capabilities: { encoders: ['webcodecs'] } }));
  await welcomed;
  const t0 = Date.now() - FRAMES * 1000;
  ws.send(encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 1 }, writeInitSegment({ width: video.width, height: video.height, avcC: video.avcC })));
  for (let i = 0; i < FRAMES; i++) {
    const frame = video.frames[i % video.frames.length]!;
    const sequence = i + 2;
    ws.send(
      encodeMediaMessage(
        { kind: MediaKind.Fragment, flags: frame.isSync ? MediaFlags.Join : 0, channel: 0, sequence },
        writeFragment({ sequenceNumber: sequence, baseMediaDecodeTime: i * 90_000, duration: 90_000, isSync: frame.isSync, sample: frame.sample, captureTimeMs: t0 + i * 1000 }),
      ),
    );
    while (sequence - acked > 500 || ws.bufferedAmount > 8 << 20) await new Promise((r) => setTimeout(r, 5));
  }
  while (acked < FRAMES + 1) await new Promise((r) => setTimeout(r, 20));
  ws.close();
  return { streamId, t0 };
}

async function main(): Promise<void> {
  for (const built of ['dist/backend/main.js', 'dist/frontend-proctor/browser/index.html']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npx nx run-many -t build\` first`);
  }
  const server = await startServer({ ...adminEnv(), VIGIL_STREAM_END_AFTER_MS: '600000' });
  const browser = await chromium.launch(viewerLaunchOptions(true));
  try {
    const admin = await loginAdmin(server);
    const exam = await createExam(admin, { name: 'seek bench', startsAtMs: Date.now() - 4 * 3600_000 });
    const seat = await createSeat(admin, exam.id, 'SEEK-1');
    const uploadStarted = Date.now();
    const { streamId, t0 } = await upload(server.baseUrl, seat);
    process.stderr.write(`review-seek: uploaded ${FRAMES} frames in ${((Date.now() - uploadStarted) / 1000).toFixed(1)} s\n`);
    await admin.post(`/api/streams/${streamId}/end`);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addCookies([sessionCookie(admin)]);
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/recordings/${streamId}`);
    const ready = () => page.evaluate(() => (window as unknown as { __vigilReview?: { span: unknown; state: string } }).__vigilReview?.span ?? null);
    for (let i = 0; (await ready()) === null; i++) {
      if (i > 300) throw new Error('the review page did not load the recording');
      await page.waitForTimeout(100);
    }
    const times: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const target = t0 + 60_000 + Math.floor(Math.random() * (FRAMES - 120)) * 1000 + 400;
      await page.getByTestId('jump-input').fill(new Date(target).toISOString());
      const ms = await page.evaluate(async (targetMs) => {
        type Snap = { seeking: boolean; seekPending: boolean; wallClockMs: number | null };
        const snap = () => (window as unknown as { __vigilReview?: Snap }).__vigilReview;
        const t = performance.now();
        (document.querySelector('[data-testid="jump-go"]') as HTMLButtonElement).click();
        for (;;) {
          await new Promise((r) => requestAnimationFrame(r));
          const s = snap();
          if (s && !s.seeking && !s.seekPending && s.wallClockMs !== null && Math.abs(s.wallClockMs - targetMs) <= 1000) return performance.now() - t;
          if (performance.now() - t > 20_000) return -1;
        }
      }, target);
      if (ms < 0) throw new Error(`seek to ${new Date(target).toISOString()} did not show its frame within 20 s`);
      times.push(ms);
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
    process.stderr.write(`review-seek: ${JSON.stringify({ p50: q(0.5), p95: q(0.95), max: times.at(-1) })}\n`);
    console.log(`## Seek time in the recording review (e2e/bench/review-seek.bench.ts)

A ${HOURS}-hour recording at 1 fps (${FRAMES} frames of real H.264, 1280x720, IDR every ${GOP} s) on the real
server; the portal's review page in headless Chromium jumps to ${TRIALS} random wall-clock times: from the
click to the animation frame at which the frame captured at that time is shown, ms. Goal: p50 ≤ 300 ms.

| trials | p50 | p95 | max |
|---|---|---|---|
| ${TRIALS} | ${q(0.5).toFixed(0)} | ${q(0.95).toFixed(0)} | ${times.at(-1)!.toFixed(0)} |`);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
