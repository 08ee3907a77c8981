/**
 * One load-generator run (I/O orchestration): frames, server (spawned or given), exam, seats
 * and proctor accounts over the control API, proctors and Sentinels (ramped), a tick every
 * second (progress, stop conditions, ramp), then the drain, the summary and the clean-up.
 * `main.ts` is the command line around it; tests call {@link runLoadgen} directly.
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ApiSession, createExam, createProctor, createSeats, login } from './api';
import type { LoadgenOptions } from './cli-options';
import { loadFrames } from './frame-source';
import { frameSetStats } from './frame-set';
import { RunMetrics } from './metrics';
import { firstGopFrames, frameIntervalMs, phaseOffsetMs } from './pacing';
import { SyntheticProctor } from './proctor';
import { lastStableLevel, rampTarget, stepJudgedFromMs } from './ramp';
import { type LoadgenSummary, type ProgressSnapshot } from './report';
import { SyntheticSentinel, type Seat } from './sentinel';
import { sampleProcess, spawnBareIngest, spawnServer, type ProcessSample, type SpawnedServer } from './spawn-server';
import { checkStop } from './stop-conditions';
import { histogramCount, histogramDelta, histogramQuantile, parseHistogram, shareWithin, type CumulativeHistogram } from './server-histogram';
import { watchersOf } from './watch-plan';

/** Callbacks of a run. */
export interface RunHooks {
  /** Notes for people (setup steps, waits). */
  log?: (line: string) => void;
  /** Called once a second while Sentinels capture. */
  progress?: (snapshot: ProgressSnapshot) => void;
  /** Aborting ends capture early (the drain and summary still happen). */
  signal?: AbortSignal;
}

/** Sampling period of the event-loop delay monitor, ms (its samples include it: subtracted). */
const LOOP_RESOLUTION_MS = 10;

/** Proctor logins run this many at a time (each hashes passwords on the server). */
const LOGIN_CONCURRENCY = 4;

/**
 * Runs the load described by `o` and answers the summary.
 * @throws Error when the frames, the server or the setup fail (nothing of the run has happened then)
 */
export async function runLoadgen(o: LoadgenOptions, hooks: RunHooks = {}): Promise<LoadgenSummary> {
  const log = hooks.log ?? (() => undefined);
  const startedAt = new Date().toISOString();
  const { set: frames, dir: framesDir, generated } = await loadFrames(o.fragments, o.fps, log);
  const frameStats = frameSetStats(frames);
  log(`frames: ${frames.frames.length} of ${frames.width}x${frames.height} ${frames.codec} from ${framesDir}`);

  let server: SpawnedServer | null = null;
  let admin: ApiSession | null = null;
  const examIds: string[] = [];
  const proctorIds: string[] = [];
  try {
    if (o.target.kind === 'bare') {
      // the floor peer: no control API, no seats to make (it takes any hello)
      server = await spawnBareIngest({ cpus: o.target.serverCpus, fps: o.fps });
      log(`server: the bare ingest peer (loadgen/bench/bare-ingest.mjs) at ${server.baseUrl} (pid ${server.pid}${o.target.serverCpus !== null ? `, taskset -c ${o.target.serverCpus}` : ''}), data ${server.dataDir}`);
      const seats = Array.from({ length: o.sentinels }, (_, i): Seat => ({ examId: 'bare', seatId: `bare-${i}`, token: 'bare' }));
      return await drive(o, { baseUrl: server.baseUrl, server, frames, seats, cookies: [], startedAt, framesDir, generated, frameStats, hooks });
    }
    let baseUrl: string;
    if (o.target.kind === 'spawn') {
      // the server's own ack latency for the summary: GET /metrics from this machine (it also turns on
      // prom-client's process metrics: no difference in held-load ack latency at 800 Sentinels, 3 runs each)
      const env: Record<string, string> = { VIGIL_METRICS_LOOPBACK: 'true' };
      // raise the server's caps only where this run would hit them (defaults: 3000 streams, 1000 proctor sockets)
      if (o.sentinels > 3000) env['VIGIL_MAX_STREAMS'] = String(Math.min(5000, o.sentinels));
      if (o.proctors > 1000) env['VIGIL_MAX_PROCTOR_CONNECTIONS'] = String(o.proctors);
      server = await spawnServer({ env: { ...env, ...o.target.serverEnv }, cpus: o.target.serverCpus, main: o.target.serverMain, nodeArgs: o.target.serverNodeArgs, log });
      baseUrl = server.baseUrl;
      log(`server: spawned ${baseUrl} (pid ${server.pid}${o.target.serverCpus !== null ? `, taskset -c ${o.target.serverCpus}` : ''}), data ${server.dataDir}`);
      admin = await login(baseUrl, server.adminEmail, server.adminOneTimePassword, { newPassword: randomPassword(), note: log });
    } else {
      baseUrl = o.target.url;
      admin = await login(baseUrl, o.target.adminEmail, o.target.adminPassword, { note: log });
    }
    const session = admin;

    // ---- setup over the control API ----
    const runId = randomBytes(3).toString('hex');
    const endsAtMs = Date.now() + o.durationMs + o.drainTimeoutMs + 3600_000;
    const seats: Seat[] = [];
    const examCount = Math.ceil(o.sentinels / o.seatsPerExam);
    for (let k = 0; k < examCount; k++) {
      const exam = await createExam(session, `loadgen ${runId} ${k + 1}/${examCount}`, o.fps, endsAtMs);
      examIds.push(exam.id);
      const ids = [];
      for (let i = k * o.seatsPerExam; i < Math.min(o.sentinels, (k + 1) * o.seatsPerExam); i++) ids.push(studentId(runId, i));
      const made = new Map((await createSeats(session, exam.id, ids)).map((s) => [s.studentId, s]));
      for (const id of ids) seats.push(made.get(id)!);
    }
    log(`setup: ${examCount} exam(s), ${seats.length} seats (run ${runId})`);
    const cookies: string[] = new Array(o.proctors);
    let nextProctor = 0;
    const loginWorker = async () => {
      while (nextProctor < o.proctors) {
        const p = nextProctor++;
        const email = `loadgen-${runId}-p${p}@loadgen.example.org`;
        const made = await createProctor(session, email, examIds);
        proctorIds.push(made.id);
        cookies[p] = (await login(baseUrl, email, made.oneTimePassword, { newPassword: randomPassword(), note: log })).cookie;
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOGIN_CONCURRENCY, o.proctors) }, loginWorker));
    if (o.proctors > 0) log(`setup: ${o.proctors} proctor accounts logged in`);

    return await drive(o, { baseUrl, server, frames, seats, cookies, startedAt, framesDir, generated, frameStats, hooks });
  } finally {
    if (admin && o.target.kind === 'url' && !o.keep) {
      for (const id of examIds) await admin.request('DELETE', `/api/exams/${id}`).catch((e: Error) => log(`clean-up: ${e.message}`));
      for (const id of proctorIds) await admin.request('DELETE', `/api/users/${id}`).catch((e: Error) => log(`clean-up: ${e.message}`));
      log(`clean-up: deleted ${examIds.length} exam(s) and ${proctorIds.length} proctor accounts (recordings stay for their 1-day retention)`);
    }
    await server?.stop();
  }
}

interface DriveContext {
  baseUrl: string;
  server: SpawnedServer | null;
  frames: Awaited<ReturnType<typeof loadFrames>>['set'];
  seats: Seat[];
  cookies: string[];
  startedAt: string;
  framesDir: string;
  generated: boolean;
  frameStats: ReturnType<typeof frameSetStats>;
  hooks: RunHooks;
}

/** Runs proctors and Sentinels, ticks every second, drains, and builds the summary. */
async function drive(o: LoadgenOptions, ctx: DriveContext): Promise<LoadgenSummary> {
  const metrics = new RunMetrics(o.windowS);
  const loopTotal = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const loopSecond = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopTotal.enable();
  loopSecond.enable();
  const cpuStart = process.cpuUsage();

  const proctors = ctx.cookies.map((cookie) => new SyntheticProctor({ baseUrl: ctx.baseUrl, cookie, metrics, view: o.view }));
  for (const p of proctors) p.start();

  const sentinels: SyntheticSentinel[] = [];
  const streamOf: (string | null)[] = [];
  const intervalMs = frameIntervalMs(o.fps);
  // frames from one IDR to the next in the replayed set (the whole loop when it has one IDR)
  const setFrames = ctx.frames.frames;
  const secondIdr = setFrames.findIndex((f, k) => k > 0 && f.isSync);
  const gopFrames = Math.max(1, secondIdr > 0 ? secondIdr : setFrames.length);
  /** Starts Sentinel `i`, the `k`-th (0-based) of those added together: with `--join-rate`, k / rate seconds later. */
  const startSentinel = (i: number, k: number) => {
    streamOf[i] = null;
    const s = new SyntheticSentinel({
      baseUrl: ctx.baseUrl,
      seat: ctx.seats[i]!,
      frames: ctx.frames,
      fps: o.fps,
      metrics,
      // IDR phases spread over the GOP, as real Sentinels started at random moments have them
      firstGopFrames: firstGopFrames(i, gopFrames),
      onStream: (streamId) => {
        for (const p of watchersOf(i, o.sentinels, proctors.length, o.watch)) {
          const previous = streamOf[i];
          if (previous) proctors[p]!.unwatch(previous);
          proctors[p]!.watch(streamId);
        }
        streamOf[i] = streamId;
      },
    });
    sentinels.push(s);
    // real Sentinels start at random moments: each starts (connects, makes its init segment and
    // first frame) at its own phase of the frame interval, and keeps that phase
    const timer = setTimeout(() => {
      starting.delete(timer);
      s.start(Date.now());
    }, phaseOffsetMs(i, intervalMs) + (o.joinRate === null ? 0 : (k * 1000) / o.joinRate));
    starting.add(timer);
  };
  const starting = new Set<ReturnType<typeof setTimeout>>();

  // ---- capture: a tick every second ----
  const t0 = Date.now();
  const target = (elapsedMs: number) => (o.ramp ? rampTarget(o.ramp, elapsedMs) : o.sentinels);
  for (let i = 0; i < target(0); i++) startSentinel(i, i);

  const serverStart: ProcessSample | null = ctx.server ? sampleProcess(ctx.server.pid) : null;
  let serverPrev = serverStart;
  let serverPrevAt = t0;
  let serverPeakCpu: number | null = null;
  let serverPeakRss: number | null = serverStart?.rssBytes ?? null;
  let serverLast: ProcessSample | null = serverStart;
  let peakConnected = 0;
  let prev = { sent: 0, bytes: 0, live: 0 };
  let stop: LoadgenSummary['stop'] = null;
  /** The load generator's per-second event-loop delay p99s over the current p99 window, ms (newest last). */
  const loopWindow: number[] = [];
  /** With --settle, while the current level settles: ms after t0 from which it is judged; null once judged (or without --settle). */
  let settlingUntilMs = o.settleS === null ? null : stepJudgedFromMs(0, target(0), o.joinRate, intervalMs, o.settleS);
  const problems: string[] = [];
  let serverGone = false;
  void ctx.server?.exited.then(() => (serverGone = true));
  /** The server's ack histogram when the warm-up ended (null: its /metrics is not readable). */
  let serverAcksAtSteady: Promise<CumulativeHistogram | null> = Promise.resolve(null);

  const captureEnded = await new Promise<number>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(timer);
      ctx.hooks.signal?.removeEventListener('abort', onAbort);
      resolve(Date.now());
    };
    const onAbort = () => {
      problems.push('interrupted');
      finish();
    };
    ctx.hooks.signal?.addEventListener('abort', onAbort);
    if (ctx.hooks.signal?.aborted) onAbort();
    const timer = setInterval(() => {
      const now = Date.now();
      const elapsed = now - t0;

      const wanted = target(elapsed);
      const added = wanted - sentinels.length;
      for (let i = sentinels.length, first = sentinels.length; i < wanted; i++) startSentinel(i, i - first);
      // --settle: a new level is judged once its Sentinels joined and settled (windows restart empty then)
      if (added > 0 && o.settleS !== null) settlingUntilMs = stepJudgedFromMs(elapsed, added, o.joinRate, intervalMs, o.settleS);

      const connected = sentinels.filter((s) => s.connected).length;
      peakConnected = Math.max(peakConnected, connected);
      let pending = 0;
      let oldest: number | null = null;
      for (const s of sentinels) {
        pending += s.pending;
        const at = s.oldestPendingAtMs;
        if (at !== null && (oldest === null || at < oldest)) oldest = at;
      }
      const c = metrics.sentinel;
      const lastAck = metrics.ackWindow.current;
      const lastRelay = metrics.relayWindow.current;
      let serverCpu: number | null = null;
      if (ctx.server) {
        const sample = sampleProcess(ctx.server.pid);
        if (sample && serverPrev) {
          serverCpu = ((sample.cpuMs - serverPrev.cpuMs) / Math.max(1, now - serverPrevAt)) * 100;
          serverPeakCpu = Math.max(serverPeakCpu ?? 0, serverCpu);
          serverPeakRss = Math.max(serverPeakRss ?? 0, sample.rssBytes);
          serverLast = sample;
        }
        serverPrev = sample;
        serverPrevAt = now;
      }
      const snapshot: ProgressSnapshot = {
        elapsedS: elapsed / 1000,
        sentinelsTarget: target(elapsed),
        sentinelsRunning: sentinels.length,
        sentinelsConnected: connected,
        fragmentsPerS: c.messagesSent - prev.sent,
        uploadMbitPerS: ((c.bytesSent - prev.bytes) * 8) / 1e6,
        acksPending: pending,
        ack: { p50: lastAck.percentile(50), p99: lastAck.percentile(99) },
        relay: { p50: lastRelay.percentile(50), p99: lastRelay.percentile(99) },
        relayPerS: metrics.proctor.liveFragments - prev.live,
        proctors: proctors.length,
        proctorsConnected: proctors.filter((p) => p.connected).length,
        skippedSequences: metrics.proctor.skippedSequences,
        errors: metrics.errorCount,
        loopDelayP99Ms: loopDelayMs(loopSecond.percentile(99)),
        serverCpuPercent: serverCpu,
        serverRssBytes: serverLast?.rssBytes ?? null,
      };
      prev = { sent: c.messagesSent, bytes: c.bytesSent, live: metrics.proctor.liveFragments };
      loopSecond.reset();
      loopWindow.push(snapshot.loopDelayP99Ms);
      if (loopWindow.length > o.windowS) loopWindow.shift();
      ctx.hooks.progress?.(snapshot);

      const ackWin = metrics.ackWindow.merged();
      const relayWin = metrics.relayWindow.merged();
      const reason = checkStop(
        {
          oldestUnackedAgeMs: oldest === null ? null : now - oldest,
          ack: { count: ackWin.count, p99: ackWin.percentile(99) },
          relay: { count: relayWin.count, p99: relayWin.percentile(99) },
          warmingUp: !metrics.steady || settlingUntilMs !== null,
        },
        o.thresholds,
      );
      metrics.ackWindow.rotate();
      metrics.relayWindow.rotate();
      if (settlingUntilMs !== null && elapsed >= settlingUntilMs) {
        // the level is judged from the next second on its own samples
        settlingUntilMs = null;
        metrics.ackWindow.clear();
        metrics.relayWindow.clear();
        loopWindow.length = 0;
      }
      if (!metrics.steady && elapsed >= o.warmupS * 1000) {
        // steady state from the next second: the p99 windows start empty (warm-up samples do not count)
        metrics.steady = true;
        serverAcksAtSteady = scrapeServerAcks(ctx.baseUrl);
        metrics.ackWindow.clear();
        metrics.relayWindow.clear();
        loopWindow.length = 0;
      }
      if (reason) {
        const generatorLoopP99Ms = loopWindow.length > 0 ? Math.max(...loopWindow) : null;
        stop = { ...reason, atS: elapsed / 1000, sentinels: sentinels.length, generatorLoopP99Ms };
        finish();
      } else if (serverGone) {
        problems.push(`the server process exited:\n${ctx.server?.logs.join('').slice(-2000)}`);
        finish();
      } else if (elapsed >= o.durationMs) {
        finish();
      }
    }, 1000);
  });

  // ---- drain: capture stops, the backlog is acknowledged ----
  for (const t of starting) clearTimeout(t);
  for (const s of sentinels) s.stopCapture();
  const drainDeadline = Date.now() + o.drainTimeoutMs;
  while (Date.now() < drainDeadline && sentinels.some((s) => s.pending > 0 && !s.finished)) await sleep(100);
  await sleep(300); // the last live fragments reach the proctors
  const serverAckSteadyMs = serverAckFigures(await serverAcksAtSteady, await scrapeServerAcks(ctx.baseUrl));
  const unackedAtEnd = sentinels.reduce((n, s) => n + s.pending, 0);
  const connectedAtEnd = sentinels.filter((s) => s.connected).length;
  const proctorsConnectedAtEnd = proctors.filter((p) => p.connected).length;
  const streamsWatched = proctors.reduce((n, p) => n + p.streams, 0);
  const serverEnd = ctx.server ? sampleProcess(ctx.server.pid) : null;
  const endAt = Date.now();
  await Promise.all([...sentinels.map((s) => s.close()), ...proctors.map((p) => p.close())]);
  loopTotal.disable();
  loopSecond.disable();

  // ---- summary ----
  const captureS = (captureEnded - t0) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const c = metrics.sentinel;
  const p = metrics.proctor;
  const stopNow = stop as LoadgenSummary['stop'];
  if (stopNow) problems.push(`stopped: ${stopNow.message}`);
  if (unackedAtEnd > 0) problems.push(`${unackedAtEnd} messages never acknowledged`);
  if (c.droppedOnReset > 0) problems.push(`${c.droppedOnReset} messages dropped when the server started new streams`);
  if (metrics.errorCount > 0) problems.push(`${metrics.errorCount} errors`);
  if (proctors.length > 0 && p.liveFragments === 0) problems.push('the proctors received no live fragments');
  const finished = sentinels.filter((s) => s.finished);
  if (finished.length > 0) problems.push(`${finished.length} Sentinels ended by the server (${finished[0]!.finished})`);
  return {
    version: 1,
    startedAt: ctx.startedAt,
    captureS,
    result: problems.length === 0 ? 'pass' : 'fail',
    problems,
    stop: stopNow,
    config: {
      server: o.target.kind,
      url: ctx.baseUrl,
      serverCpus: o.target.kind === 'url' ? null : o.target.serverCpus,
      sentinels: o.sentinels,
      fps: o.fps,
      proctors: o.proctors,
      watch: o.watch,
      view: o.view,
      durationS: o.durationMs / 1000,
      ramp: o.ramp,
      maxUnackedAgeMs: o.thresholds.maxUnackedAgeMs,
      maxAckP99Ms: o.thresholds.maxAckP99Ms,
      maxRelayP99Ms: o.thresholds.maxRelayP99Ms,
      windowS: o.windowS,
      warmupS: o.warmupS,
      settleS: o.settleS,
    },
    frames: {
      dir: ctx.framesDir,
      generated: ctx.generated,
      width: ctx.frames.width,
      height: ctx.frames.height,
      codec: ctx.frames.codec,
      frames: ctx.frameStats.frames,
      syncFrames: ctx.frameStats.syncFrames,
      meanFrameBytes: ctx.frameStats.meanFrameBytes,
      meanSyncFrameBytes: ctx.frameStats.meanSyncFrameBytes,
      meanOtherFrameBytes: ctx.frameStats.meanOtherFrameBytes,
    },
    sentinels: {
      started: sentinels.length,
      peakConnected,
      connectedAtEnd,
      welcomes: c.welcomes,
      reconnects: c.reconnects,
      framesProduced: c.framesProduced,
      framesMissed: c.framesMissed,
      messagesSent: c.messagesSent,
      bytesSent: c.bytesSent,
      resends: c.resends,
      acked: c.acked,
      unackedAtEnd,
      keyframeRequests: c.keyframeRequests,
      setFps: c.setFps,
      droppedOnReset: c.droppedOnReset,
      errors: { ...c.errors },
    },
    ackLatencyMs: metrics.ackTotal.summary(),
    ackLatencySteadyMs: metrics.ackSteady.summary(),
    ackLatencyJoinMs: metrics.ackJoin.summary(),
    ackLatencyAfterJoinMs: metrics.ackAfterJoin.summary(),
    ackLatencySteadyKeyframeMs: metrics.ackSteadyKeyframe.summary(),
    ackLatencySteadyOtherMs: metrics.ackSteadyOther.summary(),
    serverAckSteadyMs,
    proctors: {
      count: proctors.length,
      connectedAtEnd: proctorsConnectedAtEnd,
      streamsWatched,
      connects: p.connects,
      reconnects: p.reconnects,
      subscriptions: p.subscriptions,
      fragments: p.fragments,
      liveFragments: p.liveFragments,
      initSegments: p.initSegments,
      bytes: p.bytes,
      skippedSequences: p.skippedSequences,
      outOfOrder: p.outOfOrder,
      tooSlow: p.tooSlow,
      errors: { ...p.errors },
    },
    relayLatencyMs: metrics.relayTotal.summary(),
    relayLatencySteadyMs: metrics.relaySteady.summary(),
    rates: {
      fragmentsPerS: c.messagesSent / captureS,
      uploadMbitPerS: (c.bytesSent * 8) / 1e6 / captureS,
      deliveredPerS: p.liveFragments / captureS,
      downloadMbitPerS: (p.bytes * 8) / 1e6 / captureS,
    },
    server: ctx.server
      ? {
          pid: ctx.server.pid,
          cpuPercent: serverStart && serverEnd ? ((serverEnd.cpuMs - serverStart.cpuMs) / Math.max(1, endAt - t0)) * 100 : null,
          peakCpuPercent: serverPeakCpu,
          peakRssBytes: serverPeakRss,
        }
      : null,
    loadgen: {
      cpuPercent: ((cpu.user + cpu.system) / 1000 / Math.max(1, endAt - t0)) * 100,
      eventLoopDelayMs: { p50: loopDelayMs(loopTotal.percentile(50)), p99: loopDelayMs(loopTotal.percentile(99)), max: loopDelayMs(loopTotal.max) },
    },
    ramp: o.ramp ? { reachedSentinels: sentinels.length, lastStableSentinels: lastStableLevel(o.ramp, stopNow ? stopNow.atS * 1000 : null) } : null,
  };
}

/** The server's ack-latency histogram (receive → ack sent after the durable write). */
const SERVER_ACK_HISTOGRAM = 'vigil_fragment_ack_seconds';

/**
 * Reads the server's ack histogram from its `GET /metrics` (a spawned server serves it to
 * loopback clients; a given server only when configured so).
 * @returns null when it cannot be read
 */
async function scrapeServerAcks(baseUrl: string): Promise<CumulativeHistogram | null> {
  try {
    const response = await fetch(new URL('/metrics', baseUrl), { signal: AbortSignal.timeout(5000) });
    return response.ok ? parseHistogram(await response.text(), SERVER_ACK_HISTOGRAM) : null;
  } catch {
    return null;
  }
}

/** The server's acks between the two scrapes, ms (quantiles interpolated in its buckets); null without both. */
function serverAckFigures(atSteady: CumulativeHistogram | null, atEnd: CumulativeHistogram | null): LoadgenSummary['serverAckSteadyMs'] {
  if (!atSteady || !atEnd) return null;
  let steady: CumulativeHistogram;
  try {
    steady = histogramDelta(atSteady, atEnd);
  } catch {
    return null;
  }
  const ms = (seconds: number | null) => (seconds === null ? null : seconds * 1000);
  return {
    count: histogramCount(steady),
    p50: ms(histogramQuantile(steady, 0.5)),
    p99: ms(histogramQuantile(steady, 0.99)),
    within50Ms: steady.bounds.includes(0.05) ? shareWithin(steady, 0.05) : null,
  };
}

/** Student id of seat `i` of run `runId` (sorted like the index). */
function studentId(runId: string, i: number): string {
  return `lg-${runId}-${String(i + 1).padStart(5, '0')}`;
}

function randomPassword(): string {
  return `loadgen-${randomBytes(12).toString('hex')}`;
}

/** A delay monitor's value (ns, sampling period included) as the delay beyond the period, ms. */
function loopDelayMs(ns: number): number {
  return Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
