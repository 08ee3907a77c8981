/**
 * Records the real fragments the load generator and the server benchmarks replay (issue 10
 * part 1), once per machine: the real Sentinel in headed Chromium under Xvfb captures the
 * realistic exam desktop (`e2e/support/exam-desktop.ts`) at 1920x1080 and streams it to the real
 * server, at 1 fps and 5 fps, with WebCodecs and with the OpenH264 wasm fallback, all four at
 * once (one Sentinel each, the same screen). Each recording folder is then copied to
 * `~/.cache/vigil/bench/fragments/sentinel-desktop-1920x1080-<fps>fps-<encoder>/` (the load
 * generator's frame cache format: a Vigil recording folder works as it is), with a
 * `source.json` saying how it was made. Never committed: the cache is outside the repository.
 *
 * `npm run bench` runs this first when a folder is missing; `npm run bench:fragments` records
 * again. `VIGIL_BENCH_CACHE` moves `~/.cache/vigil/bench`; `VIGIL_FRAGMENTS_SECONDS` sets the
 * length (default 300 s: 12 GOPs of 25 s at 1 fps, two window switches).
 * Needs the builds (`npx nx run-many -t build`) and an X server: without DISPLAY it runs itself
 * again under `xvfb-run`.
 */
import { chromium, type BrowserContext } from '@playwright/test';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../support/server';
import { adminEnv, createExam, createSeat, loginAdmin, type ApiSession } from '../../support/auth';
import { screenCaptureLaunchOptions } from '../../support/chromium';
import { EXAM_DESKTOP_PAGE } from '../../support/exam-desktop';
import { runWithDisplay, waitForValue } from '../../support/bench';

/** The workspace root: the nearest folder up with nx.json (this file runs from source or bundled into tmp/bench). */
function workspaceRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nx.json above ${from}`);
  }
}

const ROOT = workspaceRoot(__dirname);
const CACHE = process.env['VIGIL_BENCH_CACHE'] ?? path.join(os.homedir(), '.cache/vigil/bench');
const SECONDS = Number(process.env['VIGIL_FRAGMENTS_SECONDS'] ?? 300);

/** The recordings made: encoder × frame rate. */
export const RECORDED = [
  { encoder: 'webcodecs', fps: 1 },
  { encoder: 'webcodecs', fps: 5 },
  { encoder: 'openh264-wasm', fps: 1 },
  { encoder: 'openh264-wasm', fps: 5 },
] as const;

/** Name of a cached folder under `<cache>/fragments/`. */
export function fragmentsName(encoder: string, fps: number): string {
  return `sentinel-desktop-1920x1080-${fps}fps-${encoder}`;
}

/** Capture time of a stored segment's first frame, from its name (`<sequence>-<yyyymmddThhmmssmmmZ>.m4s`), ms since the epoch. */
function segmentStartMs(file: string): number {
  const m = /-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z\.m4s$/.exec(file);
  if (!m) return -1;
  const [, y, mo, d, h, mi, sec, ms] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, sec!, ms!);
}

async function main(): Promise<void> {
  for (const built of ['dist/backend/main.js', 'dist/frontend-sentinel/index.html']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npx nx run-many -t build\` first`);
  }
  const server = await startServer({ ...adminEnv(), VIGIL_STREAM_END_AFTER_MS: '600000', VIGIL_FOCUS_FPS: '5' });
  const capture = await chromium.launch(screenCaptureLaunchOptions({ width: 1920, height: 1080 }));
  try {
    const admin: ApiSession = await loginAdmin(server);
    const exam = await createExam(admin, { name: 'bench fragments', defaultFps: 1 });
    const sentinels: { encoder: string; fps: number; streamId: string; context: BrowserContext }[] = [];
    for (const { encoder, fps } of RECORDED) {
      const seat = await createSeat(admin, exam.id, `F-${encoder}-${fps}`);
      const context = await capture.newContext({ viewport: null });
      const page = await context.newPage();
      await page.goto(`${seat.kioskUrl}${encoder === 'openh264-wasm' ? '&encoder=wasm' : ''}`);
      await waitForValue(() => page.evaluate(() => (window as unknown as { __vigilSentinel?: { state?: string } }).__vigilSentinel?.state), (s) => s === 'streaming', `the ${encoder} Sentinel streaming`);
      const streamId = (
        await waitForValue(
          async () => (await admin.get<{ streamId: string; seatId: string }[]>('/api/streams')).filter((s) => s.seatId === seat.id),
          (s) => s.length === 1,
          'the stream',
        )
      )[0]!.streamId;
      const r = await admin.request('PUT', `/api/streams/${streamId}/fps`, { fps });
      if (r.status !== 200) throw new Error(`PUT fps: ${r.status}`);
      sentinels.push({ encoder, fps, streamId, context });
    }
    // the desktop, opened last: its window is on top of the Sentinels'
    const desktop = await (await capture.newContext({ viewport: null })).newPage();
    await desktop.setContent(EXAM_DESKTOP_PAGE);
    // a fresh IDR from each Sentinel once the desktop shows; only the segments from it on are kept
    await new Promise((r) => setTimeout(r, 1000));
    const startedAt = Date.now();
    for (const s of sentinels) await admin.request('POST', `/api/streams/${s.streamId}/keyframe`, {});
    process.stderr.write(`recording ${SECONDS} s of the exam desktop from ${sentinels.length} Sentinels …\n`);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    for (const s of sentinels) await s.context.close(); // the Sentinels close; the streams end
    await new Promise((r) => setTimeout(r, 2000));
    for (const s of sentinels) {
      const name = fragmentsName(s.encoder, s.fps);
      const target = path.join(CACHE, 'fragments', name);
      const temp = `${target}.tmp-${process.pid}`;
      rmSync(temp, { recursive: true, force: true });
      mkdirSync(path.dirname(target), { recursive: true });
      const source = path.join(server.dataDir, 'streams', s.streamId);
      cpSync(source, temp, { recursive: true, filter: (f) => f === source || f.endsWith('-init.mp4') || (f.endsWith('.m4s') && segmentStartMs(f) >= startedAt) });
      const inits = readdirSync(temp).filter((f) => f.endsWith('-init.mp4'));
      if (inits.length !== 1) throw new Error(`${name}: the recording has ${inits.length} init segments (the screen size changed?); record again`);
      writeFileSync(
        path.join(temp, 'source.json'),
        `${JSON.stringify({ madeBy: 'e2e/bench/setup/record-fragments.ts', encoder: s.encoder, fps: s.fps, seconds: SECONDS, content: 'e2e/support/exam-desktop.ts', recordedAt: new Date(startedAt).toISOString() }, null, 2)}\n`,
      );
      rmSync(target, { recursive: true, force: true });
      renameSync(temp, target);
      const files = readdirSync(target).filter((f) => f.endsWith('.m4s')).length;
      process.stderr.write(`${target}: ${files} segment files\n`);
    }
  } finally {
    await capture.close();
    await server.stop();
  }
}

runWithDisplay(main);
