import { formatProgress, formatSummary, latency, type LoadgenSummary, type ProgressSnapshot } from './report';

const snapshot: ProgressSnapshot = {
  elapsedS: 12.04,
  sentinelsTarget: 300,
  sentinelsRunning: 200,
  sentinelsConnected: 199,
  fragmentsPerS: 200,
  uploadMbitPerS: 125.44,
  acksPending: 35,
  ack: { p50: 4.25, p99: 48.6 },
  relay: { p50: null, p99: null },
  relayPerS: 0,
  proctors: 20,
  proctorsConnected: 20,
  skippedSequences: 3,
  errors: 1,
  loopDelayP99Ms: 2.4,
  serverCpuPercent: 45.2,
  serverRssBytes: 310e6,
};

const latencies = { count: 1200, min: 0.4, mean: 12.3, median: 8.1, p50: 8.1, p95: 30.5, p99: 48.6, max: 210.2 };

const summary: LoadgenSummary = {
  version: 1,
  startedAt: '2026-12-04T05:00:00.000Z',
  captureS: 60.2,
  result: 'fail',
  problems: ['1 errors'],
  stop: null,
  config: {
    server: 'spawn',
    url: 'http://127.0.0.1:4000',
    serverCpus: '0',
    sentinels: 200,
    fps: 1,
    proctors: 20,
    watch: 'spread',
    view: 'tile',
    durationS: 60,
    ramp: null,
    maxUnackedAgeMs: 10_000,
    maxAckP99Ms: 2000,
    maxRelayP99Ms: 2000,
    windowS: 10,
    warmupS: 10,
    settleS: null,
  },
  frames: { dir: '/c/f', generated: false, width: 1920, height: 1080, codec: 'avc1.42C028', frames: 50, syncFrames: 2, meanFrameBytes: 79_000, meanSyncFrameBytes: 150_000, meanOtherFrameBytes: 76_000 },
  sentinels: {
    started: 200,
    peakConnected: 200,
    connectedAtEnd: 200,
    welcomes: 201,
    reconnects: 1,
    framesProduced: 12_000,
    framesMissed: 0,
    messagesSent: 12_200,
    bytesSent: 950e6,
    resends: 3,
    acked: 12_200,
    unackedAtEnd: 0,
    keyframeRequests: 0,
    setFps: 0,
    droppedOnReset: 0,
    errors: { 'connection-lost': 1 },
  },
  ackLatencyMs: latencies,
  ackLatencySteadyMs: { ...latencies, count: 1000 },
  ackLatencyJoinMs: { ...latencies, count: 20 },
  ackLatencyAfterJoinMs: { ...latencies, count: 980 },
  ackLatencySteadyKeyframeMs: { ...latencies, count: 40 },
  ackLatencySteadyOtherMs: { ...latencies, count: 960 },
  serverAckSteadyMs: { count: 1000, p50: 0.6, p99: 31.4, within50Ms: 0.9962 },
  proctors: { count: 20, connectedAtEnd: 20, streamsWatched: 200, connects: 20, reconnects: 0, subscriptions: 200, fragments: 12_000, liveFragments: 11_990, initSegments: 200, bytes: 950e6, skippedSequences: 0, outOfOrder: 0, tooSlow: 0, errors: {} },
  relayLatencyMs: { count: 0, min: null, mean: null, median: null, p50: null, p95: null, p99: null, max: null },
  relayLatencySteadyMs: { count: 0, min: null, mean: null, median: null, p50: null, p95: null, p99: null, max: null },
  rates: { fragmentsPerS: 202.7, uploadMbitPerS: 126.2, deliveredPerS: 199.2, downloadMbitPerS: 126.2 },
  server: { pid: 42, cpuPercent: 44.6, peakCpuPercent: 61, peakRssBytes: 320e6 },
  loadgen: { cpuPercent: 38, eventLoopDelayMs: { p50: 0.1, p99: 3.2, max: 12 } },
  ramp: null,
};

describe('formatProgress', () => {
  it('prints the figures of the last second on one line', () => {
    const line = formatProgress(snapshot);
    expect(line).toBe(
      '[  12s] sentinels 199/200→300 up | frag/s 200 (125.4 Mbit/s) | acks pending 35 | ack p50/p99 4.3/49 ms | relay 0/s p50/p99 -/- ms | proctors 20/20 skipped 3 | errors 1 | loop p99 2 ms | server 45% cpu 310.0 MB',
    );
    expect(formatProgress({ ...snapshot, sentinelsTarget: 200, serverCpuPercent: null })).not.toMatch(/→|server/);
  });
});

describe('formatSummary', () => {
  it('prints result, load, both latencies with median/p95/p99/max, and the resources', () => {
    const text = formatSummary(summary);
    expect(text).toContain('Vigil load generator: FAIL (1 errors)');
    expect(text).toContain('spawned http://127.0.0.1:4000, taskset -c 0');
    expect(text).toContain('200 Sentinels at 1 fps, 20 proctors (spread, tile), 60.2 s of capture (warm-up 10 s)');
    expect(text).toContain('ack latency   n 1200: median (p50) 8.1, p95 31, p99 49, max 210 ms (min 0.4, mean 12)');
    expect(text).toContain('after warm-up n 1000: median (p50) 8.1');
    expect(text).toContain('of IDR fragments (each opens a segment file) n 40: median (p50) 8.1');
    expect(text).toContain('at the server (receive → ack sent, its /metrics buckets) n 1000: median (p50) 0.6, p99 31 ms; 99.62 % within 50 ms');
    expect(text).toContain('relay latency no samples');
    expect(text).toContain('errors        sentinels connection-lost 1; proctors none');
    expect(text).toContain('CPU 45% of one core on average (peak second 61%), peak RSS 320.0 MB');
    expect(text).not.toContain('stopped');
  });

  it('names the stop and the ramp result', () => {
    const text = formatSummary({
      ...summary,
      stop: { kind: 'ack-p99', valueMs: 2500, thresholdMs: 2000, message: 'ack latency p99 2500 ms …', atS: 95, sentinels: 400 },
      ramp: { reachedSentinels: 400, lastStableSentinels: 350 },
    });
    expect(text).toContain('stopped       at 95 s with 400 Sentinels: ack latency p99 2500 ms …');
    expect(text).toContain('last level that held a whole step: 350');
  });

  it('adds the note on the load generator loop delay to the stop line', () => {
    const stop = { kind: 'ack-p99' as const, valueMs: 60, thresholdMs: 50, message: 'ack latency p99 60 ms …', atS: 40, sentinels: 1000 };
    expect(formatSummary({ ...summary, stop: { ...stop, generatorLoopP99Ms: 127.8 } })).toContain(
      `stopped       at 40 s with 1000 Sentinels: ack latency p99 60 ms …; the load generator was busy too: its own event-loop delay reached p99 128 ms in a second of that window, `,
    );
    const calm = formatSummary({ ...summary, stop: { ...stop, generatorLoopP99Ms: 3 } });
    expect(calm).toContain('stopped       at 40 s with 1000 Sentinels: ack latency p99 60 ms …\n');
  });

  it('names the bare peer as the server, and why it has no server-side figures', () => {
    const text = formatSummary({ ...summary, config: { ...summary.config, server: 'bare' }, serverAckSteadyMs: null });
    expect(text).toContain('server        the bare ingest peer (no Vigil), spawned http://127.0.0.1:4000, taskset -c 0');
    expect(text).toContain('at the server (receive → ack sent, its /metrics buckets) none (the bare peer has no /metrics)');
    const vigil = formatSummary({ ...summary, serverAckSteadyMs: null });
    expect(vigil).toContain('its /metrics buckets) not readable (its /metrics is off)');
    expect(vigil).not.toContain('bare');
  });

  it('says when there are no samples', () => {
    expect(latency(summary.relayLatencyMs)).toBe('no samples');
  });
});
