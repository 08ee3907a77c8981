import { test, expect, chromium, type Browser } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startServer, type RunningServer } from '../support/server';
import { adminEnv, createExam, createSeat, loginAdmin } from '../support/auth';
import { viewerLaunchOptions } from '../support/chromium';
import { encodeTestVideo } from '../player/h264-source';
import { NodeSentinel, waitFor } from '../support/node-sentinel';

/**
 * A recording's HLS playlist plays in hls.js in real Chromium (issue 9 part 3): a Node
 * Sentinel streams real H.264 (5 fps, an IDR every 2 s) for about 12 s, the stream is ended
 * (the playlist becomes VOD), and an external reviewer's share link (no account, no cookie)
 * is opened by hls.js on a page of the server's origin. hls.js must find one segment per
 * stored segment file with their `EXT-X-PROGRAM-DATE-TIME`, and the `<video>` must play to
 * the end, presenting every recorded frame at the recorded size.
 */
const FPS = 5;
const HLS_JS = path.join(__dirname, '../../node_modules/hls.js/dist/hls.min.js');

test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

let server: RunningServer;
let dataDir: string;
let browser: Browser;

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-hls-'));
  server = await startServer(adminEnv(), { port: await freePort(), dataDir });
  browser = await chromium.launch(viewerLaunchOptions());
});

test.afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('a shared recording plays in hls.js to the end: every segment listed, every frame presented', async () => {
  const admin = await loginAdmin(server);
  const exam = await createExam(admin, { name: 'HLS e2e' });
  const seat = await createSeat(admin, exam.id, 'H-1');
  const video = encodeTestVideo({ width: 640, height: 360, fps: FPS, frames: 50, gop: 10, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  const sentinel = new NodeSentinel({ baseUrl: server.baseUrl, token: seat.token, examId: exam.id, seatId: seat.id, video, fps: FPS });
  sentinel.start();
  await waitFor(() => sentinel.lastAcked >= 60, '60 acknowledged fragments', 30_000);
  sentinel.stopCapture();
  await waitFor(() => sentinel.backlog.size === 0, 'the backlog to drain');
  const frames = sentinel.lastAcked - 1; // sequence 1 is the init segment
  const streamId = sentinel.streamId!;
  await admin.post(`/api/streams/${streamId}/end`);
  sentinel.stop();

  const index = await admin.get<{ live: boolean; segments: { file: string; startMs: number }[]; gaps: unknown[] }>(`/api/recordings/${streamId}/index`);
  expect(index.live).toBe(false);
  expect(index.gaps).toEqual([]);
  const share = await admin.post<{ playlistUrl: string }>(`/api/recordings/${streamId}/share`, { fromMs: 0, toMs: Date.now() + 60_000, minutes: 10 });

  // hls.js on a page of the server's origin (what an exam board's own player page would be)
  const context = await browser.newContext(); // no session cookie: the share token is the only credential
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const hlsJs = await readFile(HLS_JS, 'utf8');
  await page.route(`${server.baseUrl}/hls-e2e/**`, (route) =>
    route.request().url().endsWith('hls.min.js')
      ? route.fulfill({ contentType: 'text/javascript', body: hlsJs })
      : route.fulfill({ contentType: 'text/html', body: '<!doctype html><video id="v" muted playsinline></video><script src="hls.min.js"></script>' }),
  );
  await page.goto(`${server.baseUrl}/hls-e2e/index.html`);
  const result = await page.evaluate(
    async (url) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        // hls.js's UMD build as loaded by the page (its types are not needed for this check)
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const Hls = (window as unknown as { Hls: any }).Hls;
        if (!Hls.isSupported()) return reject(new Error('hls.js: MSE not supported'));
        const video = document.getElementById('v') as HTMLVideoElement;
        const hls = new Hls({ enableWorker: false });
        let details: { live: boolean; fragments: { programDateTime: number | null; duration: number }[]; totalduration: number } | null = null;
        hls.on(Hls.Events.LEVEL_LOADED, (_: unknown, data: { details: typeof details }) => (details = data.details));
        hls.on(Hls.Events.ERROR, (_: unknown, data: { fatal: boolean; details: string }) => data.fatal && reject(new Error(`hls.js fatal error: ${data.details}`)));
        video.addEventListener('ended', () => {
          const q = video.getVideoPlaybackQuality();
          resolve({
            live: details!.live,
            fragments: details!.fragments.length,
            programDateTimes: details!.fragments.map((f) => f.programDateTime),
            totalDuration: details!.totalduration,
            currentTime: video.currentTime,
            width: video.videoWidth,
            height: video.videoHeight,
            presented: q.totalVideoFrames,
            dropped: q.droppedVideoFrames,
          });
        });
        hls.loadSource(url);
        hls.attachMedia(video);
        hls.on(Hls.Events.MANIFEST_PARSED, () => {
          video.playbackRate = 4;
          void video.play().catch(reject);
        });
      }),
    share.playlistUrl,
  );
  console.log(`HLS E2E ${JSON.stringify({ ...result, programDateTimes: undefined, recordedFrames: frames })}`);
  expect(errors).toEqual([]);
  expect(result['live']).toBe(false); // VOD: the stream ended
  expect(result['fragments']).toBe(index.segments.length);
  expect(result['programDateTimes']).toEqual(index.segments.map((s) => s.startMs));
  expect(result['totalDuration']).toBeCloseTo(frames / FPS, 0);
  expect(result['currentTime']).toBeCloseTo(frames / FPS, 0);
  expect([result['width'], result['height']]).toEqual([640, 360]);
  expect(result['presented']).toBe(frames);
  await context.close();
});
