import { test, expect } from '@playwright/test';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFragment, readBoxes, type BoxHeader } from '@vigil/fmp4';
import { freePort, startServer, RunningServer } from '../support/server';
import { adminEnv, createExam, createSeat, loginAdmin } from '../support/auth';
import { encodeTestVideo } from '../player/h264-source';
import { NodeSentinel, waitFor } from '../support/node-sentinel';
import { recordingOnDisk } from '../support/recording-on-disk';

/**
 * kill -9 while a Sentinel streams (issue 8, finding 4). The server runs as its own process
 * on a fixed port and data folder; it is SIGKILLed at random moments (0.3-1.5 s apart, so
 * some kills land mid-write) and started again at once. Each time the Sentinel must resume
 * the same stream (no stream reset, no sequence-gap error) soon after the restart, and in the
 * end every sequence number it was acknowledged is on disk, the sequence is continuous, and
 * ffprobe decodes every frame. `VIGIL_KILL_ROUNDS` sets the number of kills (CI: 5;
 * `npm run reliability` runs 30). Figures are printed as `KILL9_FIGURES {json}`.
 */
const ROUNDS = Number(process.env['VIGIL_KILL_ROUNDS'] ?? 5);
const FPS = 5;

/**
 * What a kill in the middle of a write leaves in a stream folder: `append` adds the first half
 * of a fragment after the newest segment's last one; `new-file` adds a new segment file (the
 * next sequence number) holding the first half of its join fragment, with no index line.
 */
async function tearTail(dir: string, how: 'append' | 'new-file'): Promise<'torn' | 'torn by the kill'> {
  const segments = (await readdir(dir)).filter((f) => f.endsWith('.m4s')).sort();
  const newest = path.join(dir, segments.at(-1)!);
  const data = new Uint8Array(await readFile(newest));
  const mdats = wholeBoxes(data).filter((b) => b.type === 'mdat');
  const firstMdat = mdats[0];
  const lastMdat = mdats.at(-1);
  // the kill itself landed between a new segment file's creation and its first whole fragment
  // (the file is empty or holds part of it): the folder already has such a tail, leave it be
  if (!lastMdat || !firstMdat) return 'torn by the kill';
  // where the newest fragment starts: just past the mdat before it (0: it is the file's first)
  const previousEnd = mdats.at(-2)?.end ?? 0;
  if (how === 'append') {
    // the newest fragment's bytes again, cut in half: a torn append
    const torn = data.subarray(previousEnd, previousEnd + Math.floor((lastMdat.end - previousEnd) / 2));
    await writeFile(newest, Buffer.concat([data, torn]));
  } else {
    const lastSequence = parseFragment(data.subarray(previousEnd, lastMdat.end)).sequenceNumber;
    const name = `${String(lastSequence + 1).padStart(12, '0')}-${new Date().toISOString().replace(/[-:.]/g, '')}.m4s`;
    await writeFile(path.join(dir, name), data.subarray(0, Math.floor(firstMdat.end / 2)));
  }
  return 'torn';
}

/** The whole boxes at the start of `data`: those before the first box it does not hold whole (a write cut short). */
function wholeBoxes(data: Uint8Array): BoxHeader[] {
  const boxes: BoxHeader[] = [];
  try {
    for (const box of readBoxes(data)) boxes.push(box);
  } catch {
    // a box cut short: the ones before it
  }
  return boxes;
}

test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000 + ROUNDS * 15_000);

let server: RunningServer | null = null;
let dataDir: string;

test.afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test(`SIGKILL ${ROUNDS} times while a Sentinel streams: every acknowledged fragment survives, the stream resumes`, async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-kill9-'));
  const port = await freePort();
  const env = { ...adminEnv(), VIGIL_STREAM_END_AFTER_MS: '600000' };
  server = await startServer(env, { port, dataDir });
  const admin = await loginAdmin(server);
  const exam = await createExam(admin, { name: 'kill -9' });
  const seat = await createSeat(admin, exam.id, 'k9');
  const video = encodeTestVideo({ width: 1280, height: 720, fps: FPS, frames: 25, gop: 25, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  const sentinel = new NodeSentinel({ baseUrl: server.baseUrl, token: seat.token, examId: exam.id, seatId: seat.id, video, fps: FPS, reconnectDelayMs: 250 });
  sentinel.start();
  await waitFor(() => sentinel.lastAcked >= 5, 'first acknowledgements');
  const streamId = sentinel.streamId!;

  const resumeMs: number[] = [];
  const killToResumeMs: number[] = [];
  const recoveryLogs: string[] = [];
  const ackedAtKill: number[] = [];
  /** What each tearing round found: a tail it tore, or one the kill had torn already. */
  const tails: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
    ackedAtKill.push(sentinel.lastAcked);
    const killedAt = Date.now();
    await server.kill('SIGKILL');
    // a kill lands inside a write only now and then (writes take ~1 ms): every third round
    // leaves what such a kill leaves, alternately half a fragment after the newest segment's
    // last one, and a new segment file holding half of its first (join) fragment
    if (round % 3 === 2) tails.push(await tearTail(path.join(dataDir, 'streams', sentinel.streamId!), round % 2 === 0 ? 'append' : 'new-file'));
    const welcomesBefore = sentinel.welcomes.length;
    server = await startServer(env, { port, dataDir });
    const upAt = Date.now();
    await waitFor(() => sentinel.welcomes.length > welcomesBefore, `the Sentinel's resume after kill ${round + 1}`, 10_000);
    resumeMs.push(sentinel.welcomes.at(-1)!.atMs - upAt);
    killToResumeMs.push(sentinel.welcomes.at(-1)!.atMs - killedAt);
    await waitFor(() => /checked \d+ recording/.test(server!.logs.join('')), 'the start-up recovery log line', 5000).catch(() => undefined);
    recoveryLogs.push(...server.logs.join('').split('\n').filter((l) => /recovered stream/.test(l)));
    const welcome = sentinel.welcomes.at(-1)!;
    expect(welcome.streamId).toBe(streamId); // resumed, not a new stream
    expect(welcome.lastAckedSequence).toBeGreaterThanOrEqual(ackedAtKill.at(-1)!); // nothing acknowledged was lost
  }
  // capture ends; the backlog drains
  sentinel.stopCapture();
  await waitFor(() => sentinel.backlog.size === 0, 'the backlog to drain', 30_000);
  const lastProduced = sentinel.lastProduced;
  expect(sentinel.lastAcked).toBe(lastProduced);
  expect(sentinel.errors).toEqual([]); // no sequence-gap, no stream reset
  sentinel.stop();

  // on disk: init 1 then every fragment 2..lastProduced, once, in order; ffprobe decodes them all
  const onDisk = await recordingOnDisk(path.join(dataDir, 'streams', streamId), path.join(dataDir, 'whole.mp4'));
  expect(onDisk.sequences).toEqual(Array.from({ length: lastProduced }, (_, i) => i + 1));
  expect(onDisk.decodedFrames).toBe(lastProduced - 1);

  const sorted = [...resumeMs].sort((a, b) => a - b);
  const outage = [...killToResumeMs].sort((a, b) => a - b);
  const figures = {
    kills: ROUNDS,
    fragments: lastProduced - 1,
    lost: 0,
    resumeMsMedian: sorted[Math.floor(sorted.length / 2)],
    resumeMsMax: sorted.at(-1),
    killToResumeMsMedian: outage[Math.floor(outage.length / 2)],
    killToResumeMsMin: outage[0],
    killToResumeMsMax: outage.at(-1),
    recoveries: recoveryLogs.length,
    tornTailsMended: recoveryLogs.filter((l) => /trimmed|removed incomplete/.test(l)).length,
    tails,
  };
  // every tail torn here or by a kill is mended at the next start (a tail the kill left is removed as incomplete)
  expect(figures.tornTailsMended).toBeGreaterThanOrEqual(Math.floor(ROUNDS / 3));
  console.log(`KILL9_FIGURES ${JSON.stringify(figures)}`);
  expect(sorted.at(-1)!).toBeLessThan(5000); // each Sentinel resumed within 5 s of the restart
});
