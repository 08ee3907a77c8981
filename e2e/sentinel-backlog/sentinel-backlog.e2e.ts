import { test, expect, chromium, type Browser, type Page } from '@playwright/test';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFragment, readBoxes } from '@vigil/fmp4';
import { screenCaptureLaunchOptions, viewerLaunchOptions } from '../support/chromium';
import { freePort, startServer, type RunningServer } from '../support/server';
import { probeFrames } from '../support/ffprobe';
import { adminEnv, createExam, createSeat, loginAdmin, sessionCookie, type ApiSession } from '../support/auth';
import { COLOUR_PAGE_HTML } from '../live/colour-page';
import { TcpProxy } from './tcp-proxy';

/**
 * Issue 8 finding 7: the Sentinel's backlog survives a network outage AND a page reload.
 *
 * Real Chromium under Xvfb captures the real screen (a colour page changing every second)
 * and uploads to the real server through a TCP proxy the test controls. The outage (default
 * 120 s, `VIGIL_E2E_OUTAGE_MS`) cuts the proxy: connections reset, new ones refused. Halfway
 * through it the Sentinel page is reloaded: the new page must find the earlier page's
 * unacknowledged messages in IndexedDB (the real one, not a fake), resume the stream, continue
 * its sequence numbers and media timeline, and announce a `sentinel-restarted` gap. After the
 * outage every fragment encoded by either page is on disk with continuous sequence numbers,
 * ffprobe decodes exactly that many frames, and a proctor sees live video again soon after
 * the reconnect (figure printed; the bound asserted is generous).
 *
 * Why a proxy and not CDP `Network.emulateNetworkConditions({offline: true})`: an offline
 * emulated page cannot reload at all (the page's own HTML and script come from the same
 * server), so "reload during the outage" would test the browser's error page. Only the
 * Sentinel's WebSocket goes through the proxy (`&server=ws://127.0.0.1:<proxy>/ws/sentinel`).
 */

/** Length of the outage, ms (the issue asks for 120 s). */
const OUTAGE_MS = Number(process.env['VIGIL_E2E_OUTAGE_MS'] ?? 120_000);
/** Frame rate of the exam, fps (`VIGIL_E2E_FPS`, default 1; 5 makes a 5x larger backlog). */
const FPS = Number(process.env['VIGIL_E2E_FPS'] ?? 1);
/** "Live is back within 2 s of reconnect": asserted with room for a loaded 2-core machine. */
const LIVE_BACK_BOUND_MS = 6_000;

let server: RunningServer;
let proxy: TcpProxy;
let captureBrowser: Browser;
let viewerBrowser: Browser;
let admin: ApiSession;

/** The subset of `window.__vigilSentinel` the test reads. */
interface SentinelSnapshot {
  state: string;
  phase: string;
  connection: string;
  streamId: string | null;
  fps: number;
  framesEncoded: number;
  highestSequence: number;
  lastAckedSequence: number;
  queueDepth: number;
  queueBytes: number;
  queuedFrames: number;
  queuedSeconds: number;
  storage: string;
  storedSequence: number;
  restoredMessages: number;
  restoredFrames: number;
  restoredStreamId: string | null;
  gaps: number;
  lastGap: { fromMs: number; toMs: number; reason: string } | null;
  lastWelcomeAtMs: number | null;
  reconnects: number;
  lastError: string | null;
}

const status = (page: Page): Promise<SentinelSnapshot> =>
  page.evaluate(() => (window as unknown as { __vigilSentinel: SentinelSnapshot }).__vigilSentinel);

/** The index of a stream folder, one object per line of `index.jsonl`. */
async function readIndex(streamId: string): Promise<IndexLine[]> {
  return (await readFile(path.join(server.dataDir, 'streams', streamId, 'index.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as IndexLine);
}

/** Sequence numbers (init segments and fragments) and fragment count found in a stream's files, in index order. */
async function sequencesOnDisk(streamId: string): Promise<{ sequences: number[]; fragments: number; decodeTimes: number[] }> {
  const streamDir = path.join(server.dataDir, 'streams', streamId);
  const sequences: number[] = [];
  const decodeTimes: number[] = [];
  let fragments = 0;
  for (const entry of await readIndex(streamId)) {
    if (entry.type === 'init') {
      sequences.push(entry.sequence);
      continue;
    }
    if (entry.type !== 'segment') continue;
    const bytes = new Uint8Array(await readFile(path.join(streamDir, entry.file!)));
    let start = 0;
    for (const box of readBoxes(bytes)) {
      if (box.type !== 'mdat') continue;
      const info = parseFragment(bytes.subarray(start, box.end));
      sequences.push(info.sequenceNumber);
      decodeTimes.push(info.baseMediaDecodeTime);
      fragments++;
      start = box.end;
    }
  }
  return { sequences, fragments, decodeTimes };
}

/** Decodes every part of a recording with ffprobe; returns the frame count. */
async function probeRecording(streamId: string, label: string): Promise<number> {
  const recording = await admin.get<{ parts: unknown[] }>(`/api/recordings/${streamId}`);
  await mkdir(test.info().outputDir, { recursive: true });
  let probed = 0;
  for (let part = 0; part < recording.parts.length; part++) {
    const res = await fetch(`${server.baseUrl}/api/recordings/${streamId}/recording.mp4?part=${part}`, { headers: { cookie: admin.cookie! } });
    expect(res.status).toBe(200);
    const file = path.join(test.info().outputDir, `${label}-part${part}.mp4`);
    await writeFile(file, new Uint8Array(await res.arrayBuffer()));
    probed += probeFrames(file).frames.length;
  }
  return probed;
}

/** Opens the Sentinel page of a new seat through the proxy and waits until it streams. */
async function openSentinel(
  examName: string,
  examFields: Record<string, number> = {},
  initScript?: () => void,
): Promise<{ page: Page; examId: string; close: () => Promise<void> }> {
  const exam = await createExam(admin, { name: examName, defaultFps: 1, ...examFields });
  const seat = await createSeat(admin, exam.id, 'S-7', 'Student 7');
  const url = new URL(seat.kioskUrl);
  url.searchParams.set('server', `ws://127.0.0.1:${proxy.port}/ws/sentinel`);
  const context = await captureBrowser.newContext({ viewport: null });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/vigil-sentinel/.test(m.text())) console.log(`[sentinel ${new Date().toISOString()}] ${m.text()}`);
  });
  await page.goto(url.href);
  await expect.poll(async () => (await status(page)).state, { timeout: 20_000 }).toBe('streaming');
  return { page, examId: exam.id, close: () => context.close() };
}

interface IndexLine {
  type: 'init' | 'segment' | 'gap';
  sequence: number;
  file?: string;
  init?: string;
  fromMs?: number;
  toMs?: number;
  reason?: string;
  source?: string;
}

test.beforeAll(async () => {
  // the disconnected stream must wait for the Sentinel longer than the outage; the page is
  // served by the server but its WebSocket goes through the proxy (another Host), so the
  // server's own origin is named as the public URL for the Origin check of /ws/sentinel
  const port = await freePort();
  server = await startServer({
    ...adminEnv(),
    VIGIL_PUBLIC_URL: `http://127.0.0.1:${port}`,
    VIGIL_STREAM_END_AFTER_MS: String(OUTAGE_MS + 300_000),
    VIGIL_JOIN_MAX_AGE_SECONDS: '3',
    VIGIL_EXAM_END_CHECK_SECONDS: '2',
    // the watching proctor must not raise the exam's rate: the test counts frames at 1 fps
    VIGIL_FOCUS_FPS: '1',
  }, { port });
  admin = await loginAdmin(server);
  proxy = await TcpProxy.start(Number(new URL(server.baseUrl).port));
  captureBrowser = await chromium.launch(screenCaptureLaunchOptions({ width: 1920, height: 1080 }));
  viewerBrowser = await chromium.launch(viewerLaunchOptions(true));
});

test.afterAll(async () => {
  await captureBrowser?.close();
  await viewerBrowser?.close();
  await proxy?.close();
  if (server) {
    if (test.info().status !== test.info().expectedStatus) console.log(server.logs.join(''));
    await server.stop();
  }
});

test(`a ${OUTAGE_MS / 1000} s network outage with a page reload in the middle loses no fragment`, async () => {
  test.setTimeout(OUTAGE_MS + 300_000);
  const figures: Record<string, string | number> = { 'outage, s': OUTAGE_MS / 1000, fps: FPS };

  const exam = await createExam(admin, { name: 'Sentinel backlog e2e', defaultFps: FPS });
  const seat = await createSeat(admin, exam.id, 'S-7', 'Student 7');
  const url = new URL(seat.kioskUrl);
  url.searchParams.set('server', `ws://127.0.0.1:${proxy.port}/ws/sentinel`);

  // 1. The Sentinel streams through the proxy; real content changes on the screen
  const sentinelContext = await captureBrowser.newContext({ viewport: null });
  const sentinel = await sentinelContext.newPage();
  sentinel.on('console', (m) => {
    if (/vigil-sentinel/.test(m.text())) console.log(`[sentinel ${new Date().toISOString()}] ${m.text()}`);
  });
  await sentinel.goto(url.href);
  await expect.poll(async () => (await status(sentinel)).state, { timeout: 20_000 }).toBe('streaming');
  const screenContext = await captureBrowser.newContext({ viewport: null });
  const screen = await screenContext.newPage();
  await screen.setContent(COLOUR_PAGE_HTML);
  await screen.bringToFront();
  const streamId = (await status(sentinel)).streamId!;
  expect(streamId).toBeTruthy();
  expect((await status(sentinel)).storage).toBe('ok');

  // 2. A proctor watches live
  const viewerContext = await viewerBrowser.newContext();
  await viewerContext.addCookies([sessionCookie(admin)]);
  const proctor = await viewerContext.newPage();
  const frameAge = () =>
    proctor.evaluate(() => (window as unknown as { __vigilPlayer?: { frameAgeMs: number | null } }).__vigilPlayer?.frameAgeMs ?? null);
  // the peer figure: a proctor opening the live view of a healthy stream
  const navigatedAtMs = Date.now();
  await proctor.goto(`${server.baseUrl}/streams/${streamId}`);
  await expect.poll(async () => (await frameAge()) ?? Infinity, { timeout: 30_000, intervals: [50] }).toBeLessThan(2000);
  figures['peer: proctor opens the live view -> frame < 2 s old, ms'] = Date.now() - navigatedAtMs;
  await sentinel.waitForTimeout(8_000);

  // 3. Outage
  proxy.cut();
  const cutAtMs = Date.now();
  await expect.poll(async () => (await status(sentinel)).connection, { timeout: 10_000 }).not.toBe('connected');

  // 4. Halfway: reload the Sentinel page (the network is still cut). Reload right after a frame
  //    was encoded, so the count read here is the page's last (next frame is ~1 s away).
  await sentinel.waitForTimeout(Math.max(0, OUTAGE_MS / 2 - (Date.now() - cutAtMs)));
  const framesNow = (await status(sentinel)).framesEncoded;
  await expect.poll(async () => (await status(sentinel)).framesEncoded, { timeout: 10_000, intervals: [20] }).toBeGreaterThan(framesNow);
  const before = await status(sentinel);
  await sentinel.reload();
  const reloadedAtMs = Date.now();
  expect(before.queuedFrames, 'frames queued during the outage').toBeGreaterThan(10);
  expect(before.storedSequence, 'every queued message was in IndexedDB').toBe(before.highestSequence);
  figures['page 1: frames encoded'] = before.framesEncoded;
  figures['page 1: queued at reload (frames / bytes / s)'] = `${before.queuedFrames} / ${before.queueBytes} / ${before.queuedSeconds}`;

  await expect.poll(async () => (await status(sentinel)).framesEncoded, { timeout: 30_000 }).toBeGreaterThan(0);
  const restarted = await status(sentinel);
  expect(restarted.restoredStreamId).toBe(streamId);
  expect(restarted.restoredMessages).toBe(before.highestSequence - before.lastAckedSequence);
  expect(restarted.restoredFrames).toBe(before.queuedFrames);
  expect(restarted.connection).not.toBe('connected');
  expect(restarted.fps, "offline, the new page captures at the stream's rate").toBe(FPS);
  expect(restarted.lastGap?.reason).toBe('sentinel-restarted');
  figures['reload: capture gap, ms'] = restarted.lastGap!.toMs - restarted.lastGap!.fromMs;
  await screen.bringToFront();

  // 5. Restore the network at the end of the outage
  await sentinel.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - cutAtMs)));
  const atRestore = await status(sentinel);
  figures['queued at restore (frames / bytes / s)'] = `${atRestore.queuedFrames} / ${atRestore.queueBytes} / ${atRestore.queuedSeconds}`;
  proxy.restore();
  const restoredAtMs = Date.now();
  figures['connections refused during the outage'] = proxy.refused;

  // 6. Reconnect (backoff, at most 10 s apart) and live again for the proctor
  await expect.poll(async () => (await status(sentinel)).lastWelcomeAtMs ?? 0, { timeout: 20_000, intervals: [50] }).toBeGreaterThan(restoredAtMs);
  const welcomeAtMs = (await status(sentinel)).lastWelcomeAtMs!;
  figures['network restored -> welcome, ms (backoff)'] = welcomeAtMs - restoredAtMs;
  let liveAtMs = 0;
  await expect
    .poll(
      async () => {
        const age = await frameAge();
        if (age !== null && age < 2000) liveAtMs = Date.now();
        return liveAtMs > 0;
      },
      { timeout: 30_000, intervals: [50] },
    )
    .toBe(true);
  figures['welcome -> proctor shows a frame < 2 s old, ms'] = liveAtMs - welcomeAtMs;
  expect(liveAtMs - welcomeAtMs).toBeLessThan(LIVE_BACK_BOUND_MS);

  await expect.poll(async () => (await status(sentinel)).queueDepth, { timeout: 60_000 }).toBe(0);
  const backlogDrainedAtMs = Date.now();
  figures['welcome -> backlog fully acknowledged, ms (upper bound, polled)'] = backlogDrainedAtMs - welcomeAtMs;

  // 7. Stop: the page goes away with everything acknowledged
  await sentinel.waitForTimeout(3_000);
  await expect.poll(async () => (await status(sentinel)).queueDepth, { timeout: 20_000 }).toBe(0);
  const after = await status(sentinel);
  await sentinelContext.close();
  figures['page 2: frames encoded'] = after.framesEncoded;
  figures['sequence numbers'] = after.highestSequence;

  // 8. On disk: continuous sequence numbers, every fragment, the restart gap
  const index = await readIndex(streamId);
  const gaps = index.filter((e) => e.type === 'gap');
  figures['gaps in index.jsonl'] = JSON.stringify(gaps.map((g) => ({ reason: g.reason, source: g.source, ms: (g.toMs ?? 0) - (g.fromMs ?? 0) })));
  const restartGaps = gaps.filter((g) => g.reason === 'sentinel-restarted');
  expect(restartGaps.length, JSON.stringify(gaps)).toBeGreaterThanOrEqual(1);
  expect(restartGaps[0]).toMatchObject({ source: 'sentinel', fromMs: restarted.lastGap!.fromMs, toMs: restarted.lastGap!.toMs });
  expect(gaps.filter((g) => g.reason !== 'sentinel-restarted'), 'no other hole: the outage itself is not one').toEqual([]);
  expect(restartGaps[0]!.fromMs!).toBeGreaterThan(cutAtMs);
  expect(restartGaps[0]!.toMs!).toBeLessThan(reloadedAtMs + 30_000);

  const { sequences, fragments, decodeTimes } = await sequencesOnDisk(streamId);
  expect(sequences).toEqual(Array.from({ length: after.highestSequence }, (_, i) => i + 1));
  expect(fragments).toBe(before.framesEncoded + after.framesEncoded);
  for (let i = 1; i < decodeTimes.length; i++) expect(decodeTimes[i]!, `tfdt of fragment ${i}`).toBeGreaterThan(decodeTimes[i - 1]!);
  const inits = index.filter((e) => e.type === 'init');
  expect(inits.length, 'the reloaded page starts a new part with its own init segment').toBeGreaterThanOrEqual(2);

  // 9. ffprobe decodes exactly the frames encoded, part by part
  const probed = await probeRecording(streamId, 'outage-reload');
  expect(probed).toBe(before.framesEncoded + after.framesEncoded);
  figures['ffprobe frames (all parts)'] = probed;

  console.log('SENTINEL BACKLOG FIGURES ' + JSON.stringify(figures, null, 2));
  await test.info().attach('figures', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
  await screenContext.close();
});

test('the exam ends during an outage: after reconnecting the Sentinel stops capturing, uploads its backlog and says "all recorded"', async () => {
  const outageMs = Math.min(OUTAGE_MS, 30_000);
  const { page: sentinel, examId, close } = await openSentinel('Sentinel backlog: exam ends offline');
  const streamId = (await status(sentinel)).streamId!;
  await sentinel.waitForTimeout(4_000);
  proxy.cut();
  await sentinel.waitForTimeout(outageMs / 2);
  // the exam ends while the Sentinel is offline (it keeps capturing: it cannot know)
  await admin.request('PATCH', `/api/exams/${examId}`, { endsAtMs: Date.now() - 1000 });
  await sentinel.waitForTimeout(outageMs / 2);
  const atRestore = await status(sentinel);
  expect(atRestore.queuedFrames).toBeGreaterThan(5);
  proxy.restore();
  // capture is refused now; the backlog is uploaded over upload-only connections
  await expect.poll(async () => (await status(sentinel)).phase, { timeout: 30_000 }).toBe('ended');
  const ended = await status(sentinel);
  expect(ended, JSON.stringify(ended)).toMatchObject({ allRecorded: true, queueDepth: 0, capture: 'idle' });
  await expect(sentinel.locator('#sentinel-summary')).toContainText('all recorded');
  const { sequences, fragments } = await sequencesOnDisk(streamId);
  expect(sequences).toEqual(Array.from({ length: ended.highestSequence }, (_, i) => i + 1));
  expect(fragments).toBe(ended.framesEncoded);
  expect(await probeRecording(streamId, 'exam-ended-offline')).toBe(ended.framesEncoded);
  // nothing left in IndexedDB: a reload would start afresh, not re-upload
  await sentinel.waitForTimeout(500);
  const left = await sentinel.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('vigil-sentinel-backlog');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const count = open.result.transaction('messages').objectStore('messages').count();
          count.onsuccess = () => resolve(count.result);
        };
      }),
  );
  expect(left).toBe(0);
  console.log(`EXAM ENDED OFFLINE: ${atRestore.queuedFrames} frames (${atRestore.queueBytes} bytes) queued at reconnect, all recorded`);
  await close();
});

test('storage quota exhausted in real Chromium: said on screen, upload goes on from memory, back to ok when space returns', async () => {
  // CDP Storage.overrideQuotaForOrigin had no effect in Chromium 156 here (estimate() and
  // writes unchanged, page and browser sessions tried), and a real 10 GiB quota cannot be
  // filled in a test: the QuotaExceededError is injected at the IndexedDB API instead, into
  // the real browser, real IndexedDB and the real page otherwise.
  const { page: sentinel, close } = await openSentinel('Sentinel backlog: quota', {}, () => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if ((window as unknown as { __quotaFull?: boolean }).__quotaFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    } as IDBObjectStore['put'];
  });
  expect((await status(sentinel)).storage).toBe('ok');
  await sentinel.evaluate(() => ((window as unknown as { __quotaFull?: boolean }).__quotaFull = true));
  await expect.poll(async () => (await status(sentinel)).storage, { timeout: 15_000 }).toBe('quota-exceeded');
  await expect(sentinel.locator('#sentinel-storage-alert')).toContainText('Storage on this computer is full');
  await expect(sentinel.locator('#sentinel-status')).toContainText('QUOTA EXCEEDED: memory only');
  const acked = (await status(sentinel)).lastAckedSequence;
  await expect.poll(async () => (await status(sentinel)).lastAckedSequence, { timeout: 15_000 }).toBeGreaterThan(acked + 3);
  expect((await status(sentinel)).state).toBe('streaming');
  await sentinel.evaluate(() => ((window as unknown as { __quotaFull?: boolean }).__quotaFull = false));
  await expect.poll(async () => (await status(sentinel)).storage, { timeout: 30_000 }).toBe('ok');
  await expect(sentinel.locator('#sentinel-storage-alert')).toHaveText('');
  const s = await status(sentinel);
  await expect.poll(async () => (await status(sentinel)).storedSequence, { timeout: 10_000 }).toBeGreaterThanOrEqual(s.highestSequence);
  await close();
});
