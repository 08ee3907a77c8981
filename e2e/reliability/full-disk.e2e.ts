import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { parseServerToProctor, type StreamSummary } from '@vigil/protocol';
import { startServer, RunningServer } from '../support/server';
import { adminEnv, apiKeySession, createExam, createSeat, loginAdmin } from '../support/auth';
import { encodeTestVideo } from '../player/h264-source';
import { NodeSentinel, waitFor } from '../support/node-sentinel';
import { recordingOnDisk } from '../support/recording-on-disk';

/**
 * A real full file system (issue 8, finding 2): the recordings folder is a 3 MiB tmpfs. While
 * a Sentinel streams, a filler file takes every free byte; the server must stop acknowledging,
 * mark the stream `storage-failed` (health and stream list), keep relaying it live, retry,
 * and once space is freed continue the recording with no hole. Mounting needs root (CI runs as
 * root); elsewhere the test is skipped with the reason in its annotations and output.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

let dataDir: string;
let streamsDir: string;
let mounted = false;
let server: RunningServer | null = null;

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-full-disk-'));
  streamsDir = path.join(dataDir, 'streams');
  await mkdir(streamsDir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', streamsDir], { stdio: 'pipe' });
    mounted = true;
  } catch (e) {
    const why = `cannot mount a size-limited tmpfs here (${String((e as { stderr?: Buffer }).stderr ?? e).trim()}); the fault-injection seam tests (backend storage-faults.spec.ts) still ran`;
    console.log(`SKIPPED full-disk test: ${why}`);
    test.info().annotations.push({ type: 'skip-reason', description: why });
  }
});

test.afterAll(async () => {
  await server?.stop();
  if (mounted) execFileSync('umount', [streamsDir]);
  await rm(dataDir, { recursive: true, force: true });
});

test('a full disk: no ack, storage-failed, live relay goes on; after space is freed the recording continues with no hole', async () => {
  test.skip(!mounted, 'mounting a tmpfs is not permitted here (reason logged above)');
  server = await startServer({ ...adminEnv() }, { dataDir });
  const admin = await loginAdmin(server);
  const exam = await createExam(admin, { name: 'full disk' });
  const seat = await createSeat(admin, exam.id, 'fd');
  const video = encodeTestVideo({ width: 320, height: 240, fps: 5, frames: 10, gop: 10, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  const sentinel = new NodeSentinel({ baseUrl: server.baseUrl, token: seat.token, examId: exam.id, seatId: seat.id, video, fps: 5 });
  sentinel.start();
  await waitFor(() => sentinel.lastAcked >= 5, 'first acknowledgements');

  const key = await apiKeySession(admin, 'full-disk');
  const proctor = new WebSocket(server.baseUrl.replace(/^http/, 'ws') + '/ws/proctor', { headers: { authorization: `Bearer ${key.apiKey}` } });
  let relayed = 0;
  let latest: StreamSummary | undefined;
  proctor.on('message', (data, isBinary) => {
    if (isBinary) relayed++;
    else {
      const m = parseServerToProctor(String(data));
      if (m.type === 'streams') latest = m.streams.find((s) => s.streamId === sentinel.streamId);
    }
  });
  await new Promise((r) => proctor.once('open', r));
  proctor.send(JSON.stringify({ type: 'subscribe', streamId: sentinel.streamId }));
  await waitFor(() => relayed > 2, 'live relay');

  // take every free byte
  const filler = path.join(streamsDir, 'filler');
  const handle = await open(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) await handle.write(chunk);
  } catch (e) {
    expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
  await handle.close();
  const fs = await statfs(streamsDir);
  console.log(`tmpfs full: ${fs.bavail * fs.bsize} bytes free`);

  await waitFor(async () => (await (await fetch(`${server!.baseUrl}/api/health`)).json()).storageFailedStreams === 1, 'health: storageFailedStreams 1');
  await waitFor(() => latest?.storage === 'storage-failed', 'stream list: storage-failed');
  const ackedWhileFull = sentinel.lastAcked;
  const relayedWhileFull = relayed;
  await new Promise((r) => setTimeout(r, 2000));
  expect(sentinel.lastAcked).toBe(ackedWhileFull); // nothing acknowledged that is not durable
  expect(relayed).toBeGreaterThan(relayedWhileFull + 5); // still live
  expect(server.logs.join('')).toMatch(/recording write failed \(.*ENOSPC/);

  await rm(filler); // space freed
  await waitFor(() => sentinel.lastAcked > ackedWhileFull + 10, 'acks after space was freed', 20_000);
  await waitFor(() => latest?.storage === 'ok', 'stream list: ok again');
  sentinel.stopCapture();
  await waitFor(() => sentinel.backlog.size === 0, 'the backlog to drain', 30_000);
  // told why no acks came (non-fatal server-busy notices), nothing else
  expect(sentinel.errors.length).toBeGreaterThan(0);
  expect(sentinel.errors.filter((e) => !(e.code === 'server-busy' && /cannot store the recording/.test(e.message)))).toEqual([]);
  expect(sentinel.closes).toEqual([]); // it kept its connection throughout
  const lastProduced = sentinel.lastProduced;
  sentinel.stop();
  proctor.close();

  // on disk: init 1 then every fragment 2..lastProduced, once, in order; ffprobe decodes them all
  const onDisk = await recordingOnDisk(path.join(streamsDir, sentinel.streamId!), path.join(dataDir, 'whole.mp4'));
  expect(onDisk.sequences).toEqual(Array.from({ length: lastProduced }, (_, i) => i + 1));
  expect(onDisk.decodedFrames).toBe(lastProduced - 1);
});
