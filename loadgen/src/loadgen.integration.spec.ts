/**
 * Against the real server (dist/backend/main.js as a child process, built first when missing):
 * a short run of the whole load generator, and a Sentinel that loses its connection and resumes.
 * Frames are generated with ffmpeg into a temporary cache (640x360, so it takes a second).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { createExam, createSeats, login } from './api';
import type { LoadgenOptions } from './cli-options';
import { readBoxHeader } from '@vigil/fmp4';
import { frameSetFromFmp4 } from './frame-set';
import { loadFrames, readFrameFolder } from './frame-source';
import { RunMetrics } from './metrics';
import { runLoadgen } from './run';
import { SyntheticSentinel } from './sentinel';
import { spawnBareIngest, spawnServer, type SpawnedServer } from './spawn-server';

jest.setTimeout(180_000);

let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'vigil-loadgen-test-'));
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function options(overrides: Partial<LoadgenOptions> = {}): LoadgenOptions {
  return {
    target: { kind: 'spawn', serverCpus: null, serverEnv: {}, serverMain: null, serverNodeArgs: [] },
    sentinels: 5,
    ramp: null,
    joinRate: null,
    fps: 5,
    proctors: 2,
    watch: 'spread',
    view: 'tile',
    durationMs: 5000,
    drainTimeoutMs: 10_000,
    thresholds: { maxUnackedAgeMs: 10_000, maxAckP99Ms: 5000, maxRelayP99Ms: 5000, minSamples: 20 },
    windowS: 10,
    warmupS: 2,
    settleS: null,
    fragments: { dir: path.join(cacheDir, 'fragments', 'testsrc2-640x360-5fps'), generateIfMissing: true, width: 640, height: 360 },
    jsonPath: null,
    keep: false,
    quiet: true,
    loadgenCpus: null,
    seatsPerExam: 1000,
    ...overrides,
  };
}

describe('loadgen against a spawned server', () => {
  it('5 Sentinels at 5 fps and 2 proctors for 5 s: every message acknowledged, media delivered with its latency', async () => {
    const progress: number[] = [];
    const notes: string[] = [];
    const summary = await runLoadgen(options(), { progress: (s) => progress.push(s.sentinelsConnected), log: (l) => notes.push(l) });

    expect(summary.problems).toEqual([]);
    expect(summary.result).toBe('pass');
    expect(summary.stop).toBeNull();
    expect(summary.frames).toMatchObject({ generated: true, width: 640, height: 360, frames: 250 });
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...progress)).toBe(5);

    const s = summary.sentinels;
    expect(s).toMatchObject({ started: 5, peakConnected: 5, unackedAtEnd: 0, resends: 0, droppedOnReset: 0, errors: {} });
    // ~5 s × 5 fps × 5 Sentinels, give or take the start phases and the tick
    expect(s.framesProduced).toBeGreaterThanOrEqual(100);
    expect(s.framesProduced).toBeLessThanOrEqual(160);
    expect(s.messagesSent).toBe(s.framesProduced + 5); // one init segment each
    expect(s.acked).toBe(s.messagesSent);
    expect(s.bytesSent).toBeGreaterThan(s.messagesSent * 1000);

    const ack = summary.ackLatencyMs;
    expect(ack.count).toBe(s.acked);
    expect(ack.min!).toBeGreaterThan(0);
    expect(ack.p50!).toBeLessThanOrEqual(ack.p95!);
    expect(ack.p95!).toBeLessThanOrEqual(ack.p99!);
    expect(ack.p99!).toBeLessThanOrEqual(ack.max!);
    expect(ack.max!).toBeLessThan(5000);
    expect(ack.median).toBe(ack.p50);
    expect(summary.ackLatencySteadyMs.count).toBeGreaterThan(0);
    expect(summary.ackLatencySteadyMs.count).toBeLessThan(ack.count);
    // the steady acks split into IDR fragments and the rest, none counted twice
    expect(summary.ackLatencySteadyKeyframeMs.count + summary.ackLatencySteadyOtherMs.count).toBe(summary.ackLatencySteadyMs.count);
    // the server's own view of the same acks (its /metrics, scraped at the warm-up's end and after the drain)
    const server = summary.serverAckSteadyMs!;
    expect(server).not.toBeNull();
    expect(server.count).toBeGreaterThanOrEqual(summary.ackLatencySteadyMs.count - 5 * 5); // a tick's worth either way
    expect(server.count).toBeLessThanOrEqual(summary.ackLatencySteadyMs.count + 5 * 5);
    expect(server.p50!).toBeLessThanOrEqual(server.p99!);
    expect(server.within50Ms!).toBeGreaterThan(0.5);
    // every Sentinel's init segment and first fragment are acked apart from the rest
    expect(summary.ackLatencyJoinMs.count + summary.ackLatencyAfterJoinMs.count).toBe(ack.count);
    expect(summary.ackLatencyJoinMs.count).toBe(2 * summary.sentinels.started);

    const p = summary.proctors;
    expect(p).toMatchObject({ count: 2, connectedAtEnd: 2, streamsWatched: 5, skippedSequences: 0, outOfOrder: 0, tooSlow: 0, errors: {} });
    expect(p.subscriptions).toBeGreaterThanOrEqual(5);
    expect(p.initSegments).toBeGreaterThanOrEqual(5);
    // each stream has one viewer from (nearly) its start
    expect(p.liveFragments).toBeGreaterThan(s.framesProduced * 0.8);
    const relay = summary.relayLatencyMs;
    expect(relay.count).toBe(p.liveFragments);
    expect(relay.min!).toBeGreaterThan(0);
    expect(relay.p50!).toBeLessThan(1000);
    expect(relay.max!).toBeLessThan(5000);
    expect(summary.relayLatencySteadyMs.count).toBeGreaterThan(0);
    // tiles keep the exam's rate: the server never asked for another
    expect(s.setFps).toBe(0);

    expect(summary.rates.fragmentsPerS).toBeGreaterThan(15);
    expect(summary.rates.fragmentsPerS).toBeLessThan(35);
    expect(summary.server?.cpuPercent).toEqual(expect.any(Number));
    expect(summary.server?.peakRssBytes).toBeGreaterThan(10e6);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(notes.some((n) => n.startsWith('generating 250 frames'))).toBe(true);
  });

  it('a ramp with --settle judges each level only once its Sentinels joined and settled', async () => {
    // any ack trips the limit once a level is judged (a p99 needs 15 acks in the window). Levels of 2
    // and 4 Sentinels at 5 fps (10 and 20 acks a second), 4 s each, joining at 2 a second and settling
    // 1 s: the first tick after a level settled restarts its windows and the next one judges them.
    // Level 2 is judged from 0.5 + 0.2 + 1 = 1.7 s: the 2 s tick restarts its windows, the 3 s tick
    // sees about 10 acks, and the 4 s tick settles level 4 (judged from 5.7 s), which has about 20
    // acks at the 7 s tick. Each judged second is 5 acks from the limit: with a limit of 20 (level 4's
    // exact count), one CI run's 7 s tick fell short and the run stopped a second later, in what the
    // ramp counts as level 4's second period.
    // Without --settle the run would stop at the 3 s tick, on level 2.
    const summary = await runLoadgen(
      options({
        ramp: { start: 2, step: 2, everyS: 4, max: 4 },
        sentinels: 4,
        joinRate: 2,
        settleS: 1,
        warmupS: 0,
        durationMs: 12_000,
        thresholds: { maxUnackedAgeMs: 10_000, maxAckP99Ms: 0.001, maxRelayP99Ms: null, minSamples: 15 },
      }),
      {},
    );
    expect(summary.stop).toMatchObject({ kind: 'ack-p99', sentinels: 4 });
    expect(summary.stop!.atS).toBeGreaterThanOrEqual(6.7);
    expect(summary.ramp).toEqual({ reachedSentinels: 4, lastStableSentinels: 2 });
    expect(summary.config.settleS).toBe(1);
    expect(summary.sentinels.unackedAtEnd).toBe(0);
  });

  describe('a Sentinel that loses its connection', () => {
    let server: SpawnedServer;

    beforeAll(async () => {
      server = await spawnServer({ env: {}, cpus: null, main: null, log: () => undefined });
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('resumes its stream (hello.streamId) and gets every message acknowledged', async () => {
      const admin = await login(server.baseUrl, server.adminEmail, server.adminOneTimePassword, { newPassword: 'loadgen test password 1234' });
      const exam = await createExam(admin, 'resume', 5, Date.now() + 3600_000);
      const [seat] = await createSeats(admin, exam.id, ['resume-1']);
      // the cache of the first test (or made now)
      const { set } = await loadFrames(options().fragments, 5, () => undefined);
      const metrics = new RunMetrics(10);
      const streams: string[] = [];
      const sentinel = new SyntheticSentinel({ baseUrl: server.baseUrl, seat: seat!, frames: set, fps: 5, metrics, onStream: (id) => streams.push(id) });
      sentinel.start(Date.now());
      try {
        await waitFor(() => metrics.sentinel.acked >= 8, 'acks before the cut');
        // cut while messages are in flight (sent, not yet acknowledged)
        await waitFor(() => sentinel.pending > 0 && sentinel.connected, 'a message in flight');
        sentinel.dropConnection();
        await waitFor(() => metrics.sentinel.welcomes === 2, 'the resumed connection');
        await new Promise((r) => setTimeout(r, 1000));
        sentinel.stopCapture();
        await waitFor(() => sentinel.pending === 0, 'every message acknowledged');
      } finally {
        await sentinel.close();
      }

      expect(streams).toHaveLength(1); // the same stream resumed, not a new one
      expect(sentinel.streamId).toBe(streams[0]);
      const c = metrics.sentinel;
      expect(c.reconnects).toBe(1);
      expect(c.droppedOnReset).toBe(0);
      expect(c.errors).toEqual({ 'connection-lost': 1 });
      expect(c.acked).toBe(c.framesProduced + 1);
      expect(sentinel.lastAcked).toBe(c.framesProduced + 1);

      // the recording folder is a frame folder as it is (loadgen/README.md, "Frame cache"):
      // every frame stored once, in order, despite the resend
      const recorded = await readFrameFolder(path.join(server.dataDir, 'streams', streams[0]!));
      expect(recorded.codec).toBe(set.codec);
      expect(recorded.frames).toHaveLength(c.framesProduced);
      expect(Buffer.from(recorded.frames[0]!.sample).equals(Buffer.from(set.frames[0]!.sample))).toBe(true);
    });
  });
});

describe('the bare ingest peer (--spawn-bare, loadgen/bench/bare-ingest.mjs)', () => {
  it('a run against it: every message acknowledged, no server-side figures, no proctors', async () => {
    const summary = await runLoadgen(options({ target: { kind: 'bare', serverCpus: null }, proctors: 0, durationMs: 3000 }));

    expect(summary.problems).toEqual([]);
    expect(summary.result).toBe('pass');
    expect(summary.config.server).toBe('bare');
    const s = summary.sentinels;
    expect(s).toMatchObject({ started: 5, peakConnected: 5, unackedAtEnd: 0, resends: 0, droppedOnReset: 0, errors: {} });
    expect(s.framesProduced).toBeGreaterThanOrEqual(50);
    expect(s.acked).toBe(s.messagesSent);
    expect(s.messagesSent).toBe(s.framesProduced + 5);
    expect(summary.serverAckSteadyMs).toBeNull(); // no /metrics
    expect(summary.server?.cpuPercent).not.toBeNull();
  });

  it('stores every acknowledged message in its stream file, in order, as sent', async () => {
    const peer = await spawnBareIngest({ cpus: null, fps: 5 });
    const { set } = await loadFrames(options().fragments, 5, () => undefined);
    const metrics = new RunMetrics(10);
    const streams: string[] = [];
    const sentinel = new SyntheticSentinel({ baseUrl: peer.baseUrl, seat: { examId: 'bare', seatId: 'bare-1', token: 'bare' }, frames: set, fps: 5, metrics, onStream: (id) => streams.push(id) });
    sentinel.start(Date.now());
    try {
      await waitFor(() => metrics.sentinel.acked >= 10, '10 acks');
      sentinel.stopCapture();
      await waitFor(() => sentinel.pending === 0, 'every message acknowledged');
      expect(streams).toHaveLength(1);
      // the file is the init segment and then every fragment, as sent (no media header)
      const file = readFileSync(path.join(peer.dataDir, `${streams[0]}.mp4`));
      const ftyp = readBoxHeader(file, 0, file.length);
      const moov = readBoxHeader(file, ftyp.end, file.length);
      expect([ftyp.type, moov.type]).toEqual(['ftyp', 'moov']);
      const recorded = frameSetFromFmp4(file.subarray(0, moov.end), [file.subarray(moov.end)]);
      expect(recorded.codec).toBe(set.codec);
      expect(recorded.frames).toHaveLength(metrics.sentinel.framesProduced);
      expect(Buffer.from(recorded.frames[0]!.sample).equals(Buffer.from(set.frames[0]!.sample))).toBe(true);
    } finally {
      await sentinel.close();
      await peer.stop();
    }
  });
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('the spawned server on one CPU (taskset -c 0)', () => {
  /** The spawned server's Node.js options (/proc/PID/cmdline: taskset exec()s node in place). */
  const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  /** Its output once the start-up lines are out ("Recordings in …" is logged last but the warning). */
  async function startupLog(server: SpawnedServer): Promise<string> {
    for (let i = 0; i < 100 && !server.logs.join('').includes('Recordings in'); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    return server.logs.join('');
  }

  it('starts Node with --single-threaded-gc, as npm start does on one CPU, and the server does not warn', async () => {
    const server = await spawnServer({ env: {}, cpus: '0', main: null, log: () => undefined });
    try {
      expect(commandLine(server.pid)).toContain('--single-threaded-gc');
      const log = await startupLog(server);
      expect(log).toContain('Recordings in');
      expect(log).not.toContain('garbage collector');
      // and it grows its old generation by half (backend/src/gc-threads.ts, heapGrowthFlags)
      expect(log).toContain('One CPU: V8 runs with --heap-growing-percent=50');
    } finally {
      await server.stop();
    }
  });

  /** The start-up log of a server spawned with these Node.js options (`cpus`: taskset's list, or null for unpinned). */
  async function startupLogOf(cpus: string | null, nodeArgs: string[]): Promise<string> {
    const server = await spawnServer({ env: {}, cpus, main: null, log: () => undefined, nodeArgs });
    try {
      return await startupLog(server);
    } finally {
      await server.stop();
    }
  }

  it('the server warns at start-up when the option was turned off on one CPU', async () => {
    expect(await startupLogOf('0', ['--no-single-threaded-gc'])).toMatch(
      /runs on 1 CPU and V8's garbage collector has helper threads .* start Node with --single-threaded-gc/,
    );
  });

  it("keeps an operator's own --heap-growing-percent, and V8's defaults with more than one CPU", async () => {
    const own = await startupLogOf('0', ['--heap-growing-percent=20']);
    expect(own).toContain('Recordings in');
    expect(own).not.toContain('One CPU: V8 runs with');
    // unpinned: the server sees the CPUs this test sees
    const unpinned = await startupLogOf(null, []);
    expect(unpinned).toContain('Recordings in');
    if (availableParallelism() > 1) expect(unpinned).not.toContain('One CPU: V8 runs with');
    else expect(unpinned).toContain('One CPU: V8 runs with --heap-growing-percent=50');
  });
});
