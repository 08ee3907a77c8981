/**
 * Fan-out: one stream of real 1080p H.264 fragments to 100, 500 and 1,000 viewers through the
 * real Vigil server (`dist/backend/main.js`: Sentinel socket, validation, relay, disk and
 * fdatasync, proctor sockets logged in as a proctor) against a bare `ws` broadcast server
 * (bare-broadcast.mjs) sending the same fragments, in the same run, on the same core: both
 * servers under `taskset -c 0`, this process (the publisher and every viewer) on core 1.
 * Runs alternate Vigil, bare, Vigil, bare… so machine noise hits both alike.
 * Prints a markdown section. Run through `npm run bench`.
 */
import WebSocket from 'ws';
import { parseFragment, writeFragment, writeInitSegment } from '@vigil/fmp4';
import {
  MediaFlags,
  MediaKind,
  PROCTOR_WS_PATH,
  SENTINEL_WS_PATH,
  encodeControl,
  encodeMediaMessage,
  hasMediaFlag,
  readMediaHeader,
  MEDIA_HEADER_BYTES,
} from '@vigil/protocol';
import { preciseNowMs } from '../src/clock';
import { nextSyncIndex, type FrameSet } from '../src/frame-set';
import { frameTicks } from '../src/pacing';
import { LatencyHistogram } from '../src/stats';
import type { Seat } from '../src/sentinel';
import {
  addSeats,
  benchFrames,
  framesText,
  canPinApart,
  cpuTimeNs,
  fmtSpread,
  frameSetBitrateBps,
  note,
  num,
  pinSelf,
  proctorCookie,
  sleep,
  spawnBare,
  spawnVigil,
  spread,
} from './bench-support';

/** Frame rate of the stream, fps (a focused view's rate: the heavier case). */
const FPS = 5;
/** Fragments per run: 4 s at 5 fps (20,000 deliveries a run at 1,000 viewers). */
const FRAGMENTS_PER_RUN = 20;
/** Runs per viewer count (FANOUT_RUNS overrides, for profiling). */
const RUNS = Number(process.env['FANOUT_RUNS'] ?? 5);
/** Viewer counts (FANOUT_VIEWERS=500,1000 overrides, for profiling). */
const VIEWER_COUNTS = (process.env['FANOUT_VIEWERS'] ?? '100,500,1000').split(',').map(Number);
/** Extra Node.js options of the Vigil server (BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p", for profiling). */
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
/** After the last send, the longest wait for the last deliveries, ms. */
const DRAIN_MS = 2000;
/** Viewer sockets per proctor account (`VIGIL_MAX_PROCTOR_CONNECTIONS_PER_USER` is at most 1000). */
const VIEWERS_PER_PROCTOR = 500;
/** Viewer sockets opened at once while connecting. */
const CONNECT_CONCURRENCY = 50;

/**
 * The one publisher: makes a fragment per call from the frame loop with the `prft` capture
 * time = now (the clock the viewers read), as the Sentinel's wire message (16-byte header +
 * fMP4). Against Vigil it is a Sentinel (hello, welcome, init segment, honours `keyframe`);
 * against the bare server it just sends.
 */
class Publisher {
  private sequence = 1;
  private frameIndex = 0;
  private mediaTime = 0;
  private forceSync = false;
  /** Stream id from `welcome` (Vigil only). */
  streamId: string | null = null;

  private constructor(
    private readonly ws: WebSocket,
    private readonly frames: FrameSet,
  ) {}

  /** A Sentinel connection to Vigil: hello, welcome, the init segment. */
  static async vigil(baseUrl: string, seat: Seat, frames: FrameSet): Promise<Publisher> {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + SENTINEL_WS_PATH, { headers: { origin: baseUrl }, perMessageDeflate: false });
    const p = new Publisher(ws, frames);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('open', () =>
        ws.send(
          encodeControl({
            type: 'hello',
            protocol: 1,
            token: seat.token,
            examId: seat.examId,
            seatId: seat.seatId,
            encoder: 'webcodecs',
            userAgent: 'vigil-fanout-bench',
            capabilities: { encoders: ['webcodecs'] },
          }),
        ),
      );
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const m = JSON.parse(String(data)) as { type: string; streamId?: string; code?: string };
        if (m.type === 'welcome' && p.streamId === null) {
          p.streamId = m.streamId!;
          p.sendMedia(MediaKind.InitSegment, 0, writeInitSegment({ width: frames.width, height: frames.height, avcC: frames.avcC }));
          resolve();
        } else if (m.type === 'keyframe') {
          p.forceSync = true;
        } else if (m.type === 'error') {
          reject(new Error(`Sentinel error ${m.code}`));
        }
      });
    });
    return p;
  }

  /** A publisher connection to the bare server. */
  static async bare(wsUrl: string, frames: FrameSet): Promise<Publisher> {
    const ws = new WebSocket(`${wsUrl}/publish`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Publisher(ws, frames);
  }

  /** Sequence number of the next message. */
  get nextSequence(): number {
    return this.sequence;
  }

  /** Sends the next frame as a fragment stamped now. */
  sendFragment(): void {
    const frames = this.frames.frames;
    if (this.forceSync) {
      this.frameIndex = nextSyncIndex(frames, this.frameIndex);
      this.forceSync = false;
    }
    const frame = frames[this.frameIndex]!;
    this.frameIndex = (this.frameIndex + 1) % frames.length;
    const duration = frameTicks(FPS);
    const payload = writeFragment({
      sequenceNumber: this.sequence,
      baseMediaDecodeTime: this.mediaTime,
      duration,
      isSync: frame.isSync,
      sample: frame.sample,
      captureTimeMs: preciseNowMs(),
    });
    this.mediaTime += duration;
    this.sendMedia(MediaKind.Fragment, frame.isSync ? MediaFlags.Join : 0, payload);
  }

  /**
   * Sends `count` fragments, one every `intervalMs` (due times from the first, no drift).
   * @returns when the first was sent, ms (preciseNowMs clock)
   */
  async stream(count: number, intervalMs: number): Promise<number> {
    const start = preciseNowMs();
    for (let i = 0; i < count; i++) {
      const wait = start + i * intervalMs - preciseNowMs();
      if (wait > 0) await sleep(wait);
      this.sendFragment();
    }
    return start;
  }

  close(): void {
    this.ws.close(1000);
  }

  private sendMedia(kind: MediaKind, flags: number, payload: Uint8Array): void {
    this.ws.send(encodeMediaMessage({ kind, flags, channel: 0, sequence: this.sequence++ }, payload));
  }
}

/**
 * One viewer socket. Counts live fragments and their delivery latency (receive time − `prft`
 * capture time, same clock) while {@link measuring}; the same code for both servers (the bare
 * server's messages carry no REPLAY flag; Vigil's replayed join fragments are not counted).
 */
class Viewer {
  /** A live fragment arrived since {@link reset} (or since connecting). */
  gotLive = false;
  measuring = false;
  /** Sequence numbers counted while measuring (a run's own fragments; late ones of the run before are not). */
  fromSequence = 0;
  toSequence = 0;
  received = 0;
  /** Receive time of the last message of any kind, ms. */
  lastAnyAtMs = 0;
  /** Receive time of the last counted fragment, ms. */
  lastAtMs = 0;
  readonly latency = new LatencyHistogram();
  private ws: WebSocket | null = null;

  /** Opens the socket; Vigil: subscribes to `streamId` as a wall tile once the stream list arrives. */
  async open(url: string, headers: Record<string, string>, streamId: string | null): Promise<void> {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    let subscribing = false;
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('close', (code, reason) => reject(new Error(`viewer socket closed: ${code} ${String(reason)}`)));
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) return this.onMedia(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        const m = JSON.parse(String(data)) as { type: string; code?: string };
        // the first stream list only (the server pushes it again on every change)
        if (m.type === 'streams' && streamId && !subscribing) {
          subscribing = true;
          ws.send(encodeControl({ type: 'subscribe', streamId, view: 'tile' }));
        }
        else if (m.type === 'subscribed') resolve();
        else if (m.type === 'error' || m.type === 'unsubscribed') note(`viewer: ${String(data).slice(0, 200)}`);
      });
      if (!streamId) ws.once('open', () => resolve());
    });
  }

  reset(measuring: boolean, fromSequence = 0, toSequence = 0): void {
    this.measuring = measuring;
    this.fromSequence = fromSequence;
    this.toSequence = toSequence;
    this.received = 0;
    this.gotLive = false;
    this.lastAtMs = 0;
    this.latency.clear();
  }

  close(): void {
    this.ws?.terminate();
  }

  private onMedia(data: Uint8Array): void {
    const now = preciseNowMs();
    this.lastAnyAtMs = now;
    const header = readMediaHeader(data);
    if (header.kind !== MediaKind.Fragment || hasMediaFlag(header.flags, MediaFlags.Replay)) return;
    const captureTimeMs = parseFragment(data.subarray(MEDIA_HEADER_BYTES)).captureTimeMs;
    this.gotLive = true;
    if (!this.measuring || captureTimeMs === null || header.sequence < this.fromSequence || header.sequence > this.toSequence) return;
    this.received++;
    this.lastAtMs = now;
    this.latency.record(now - captureTimeMs);
  }
}

/** A server under test: its publisher and its viewers. */
interface Target {
  name: 'vigil' | 'bare';
  pid: number;
  publisher: Publisher;
  viewers: Viewer[];
  open(): Promise<Viewer>;
}

/** One run's figures. */
interface RunResult {
  /** Live fragments delivered to all viewers ÷ (first send → last delivery), messages per second. */
  deliveredPerS: number;
  /** Fraction of the messages sent × viewers that arrived. */
  deliveredShare: number;
  p50: number;
  p99: number;
  /** This process's CPU time over the run (publisher and viewers) ÷ messages delivered, µs. */
  clientCpuUsPerMessage: number;
  /** Server CPU time over the run (sending and draining) ÷ messages delivered, µs. */
  serverCpuUsPerMessage: number;
  /** Server CPU time over the run, µs (NaN when /proc gives none). */
  serverCpuUs: number;
  /** Live fragments received by all viewers over the run. */
  delivered: number;
}

/** Opens viewers until `target` has `count`, CONNECT_CONCURRENCY at a time. */
async function growViewers(target: Target, count: number): Promise<void> {
  let next = target.viewers.length;
  const worker = async () => {
    while (next < count) {
      next++;
      target.viewers.push(await target.open());
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
}

/** Streams until every viewer has had a live fragment (Vigil's new viewers wait for a join fragment), at most `maxMs`. */
async function warm(target: Target, maxMs: number): Promise<void> {
  for (const v of target.viewers) v.reset(false);
  const until = Date.now() + maxMs;
  while (Date.now() < until && target.viewers.some((v) => !v.gotLive)) {
    target.publisher.sendFragment();
    await sleep(1000 / FPS);
  }
  const cold = target.viewers.filter((v) => !v.gotLive).length;
  if (cold > 0) note(`${target.name}: ${cold} viewers had no live fragment after ${maxMs} ms`);
  await sleep(300);
}

/** Waits until no viewer has received anything for `quietMs` (the run before has drained), at most `maxMs`. */
async function settle(target: Target, quietMs: number, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const last = Math.max(...target.viewers.map((v) => v.lastAnyAtMs));
    if (preciseNowMs() - last >= quietMs) return;
    await sleep(50);
  }
}

async function measure(target: Target): Promise<RunResult> {
  await settle(target, 300, 10_000);
  const from = target.publisher.nextSequence;
  for (const v of target.viewers) v.reset(true, from, from + FRAGMENTS_PER_RUN - 1);
  const clientCpu0 = process.cpuUsage();
  const cpu0 = cpuTimeNs(target.pid);
  const firstSend = await target.publisher.stream(FRAGMENTS_PER_RUN, 1000 / FPS);
  const expected = FRAGMENTS_PER_RUN * target.viewers.length;
  const drainUntil = Date.now() + DRAIN_MS;
  const count = () => target.viewers.reduce((n, v) => n + v.received, 0);
  while (count() < expected && Date.now() < drainUntil) await sleep(20);
  const cpu1 = cpuTimeNs(target.pid);
  const all = new LatencyHistogram();
  let last = firstSend;
  for (const v of target.viewers) {
    v.measuring = false;
    all.merge(v.latency);
    last = Math.max(last, v.lastAtMs);
  }
  const delivered = count();
  const clientCpu = process.cpuUsage(clientCpu0);
  return {
    clientCpuUsPerMessage: (clientCpu.user + clientCpu.system) / Math.max(1, delivered),
    deliveredPerS: delivered / ((last - firstSend) / 1000),
    deliveredShare: delivered / expected,
    p50: all.percentile(50) ?? NaN,
    p99: all.percentile(99) ?? NaN,
    serverCpuUsPerMessage: cpu0 !== null && cpu1 !== null && delivered > 0 ? (cpu1 - cpu0) / 1000 / delivered : NaN,
    serverCpuUs: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / 1000 : NaN,
    delivered,
  };
}

async function main(): Promise<void> {
  const pinned = canPinApart() && pinSelf('1');
  const serverCpus = pinned ? '0' : null;
  const frames = await benchFrames(FPS);
  const maxViewers = Math.max(...VIEWER_COUNTS);
  const vigil = await spawnVigil(
    serverCpus,
    {
      VIGIL_MAX_PROCTOR_CONNECTIONS: String(maxViewers + 100),
      VIGIL_MAX_PROCTOR_CONNECTIONS_PER_USER: String(2 * VIEWERS_PER_PROCTOR),
    },
    SERVER_NODE_ARGS,
  );
  const bare = await spawnBare(serverCpus);
  const idleCpuUs = { vigil: NaN, bare: NaN };
  let idleText = 'not measured';
  const results = new Map<string, { vigil: RunResult[]; bare: RunResult[] }>();
  try {
    const [seat] = await addSeats(vigil, 1, FPS);
    // several proctor accounts (the per-user cap is at most 1000), viewers dealt round-robin
    const cookies: string[] = [];
    for (let i = 0; i * VIEWERS_PER_PROCTOR < maxViewers; i++) cookies.push(await proctorCookie(vigil));
    const base = vigil.server.baseUrl;
    const vigilPublisher = await Publisher.vigil(base, seat!, frames);
    const streamId = vigilPublisher.streamId!;
    let vigilViewersOpened = 0;
    const targets: Target[] = [
      {
        name: 'vigil',
        pid: vigil.server.pid,
        publisher: vigilPublisher,
        viewers: [],
        open: async () => {
          const v = new Viewer();
          const cookie = cookies[Math.floor(vigilViewersOpened++ / VIEWERS_PER_PROCTOR) % cookies.length]!;
          await v.open(base.replace(/^http/, 'ws') + PROCTOR_WS_PATH, { origin: base, cookie }, streamId);
          return v;
        },
      },
      {
        name: 'bare',
        pid: bare.pid,
        publisher: await Publisher.bare(bare.wsUrl, frames),
        viewers: [],
        open: async () => {
          const v = new Viewer();
          await v.open(`${bare.wsUrl}/view`, {}, null);
          return v;
        },
      },
    ];
    // each server's cost of the run with no viewer: receiving the fragments (Vigil: validating,
    // buffering, recording with fdatasync), timers; subtracted to give the cost per delivery
    const idle = { vigil: [] as number[], bare: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      for (const t of run % 2 === 0 ? targets : [...targets].reverse()) {
        const res = await measure(t);
        idle[t.name].push(res.serverCpuUs);
        note(`no viewer, run ${run + 1}, ${t.name}: server ${num(res.serverCpuUs / 1000)} ms cpu`);
        await sleep(300);
      }
    }
    idleCpuUs.vigil = spread(idle.vigil).median;
    idleCpuUs.bare = spread(idle.bare).median;
    idleText = `${fmtSpread(idle.vigil.map((x) => x / 1000))} ms for Vigil, ${fmtSpread(idle.bare.map((x) => x / 1000))} ms for bare \`ws\``;
    for (const n of VIEWER_COUNTS) {
      for (const t of targets) {
        await growViewers(t, n);
        await warm(t, 5000);
      }
      const r = { vigil: [] as RunResult[], bare: [] as RunResult[] };
      for (let run = 0; run < RUNS; run++) {
        for (const t of run % 2 === 0 ? targets : [...targets].reverse()) {
          const res = await measure(t);
          r[t.name].push(res);
          note(`${n} viewers, run ${run + 1}, ${t.name}: ${num(res.deliveredPerS)} msg/s, ${(res.deliveredShare * 100).toFixed(1)} % delivered, p50 ${num(res.p50)} ms, p99 ${num(res.p99)} ms, server ${num(res.serverCpuUsPerMessage)} µs cpu/msg, client ${num(res.clientCpuUsPerMessage)} µs cpu/msg`);
          await sleep(300);
        }
      }
      results.set(String(n), r);
    }
    for (const t of targets) {
      for (const v of t.viewers) v.close();
      t.publisher.close();
    }
  } finally {
    await Promise.all([vigil.server.stop(), bare.stop()]);
  }

  const rows = VIEWER_COUNTS.map((n) => {
    const r = results.get(String(n))!;
    const pick = (rs: RunResult[], k: keyof RunResult) => rs.map((x) => x[k]);
    // paired by run: run i of Vigil and run i of bare ran back to back
    const rate = r.vigil.map((v, i) => v.deliveredPerS / r.bare[i]!.deliveredPerS);
    const efficiency = r.vigil.map((v, i) => r.bare[i]!.serverCpuUsPerMessage / v.serverCpuUsPerMessage);
    const perDelivery = (x: RunResult, idleUs: number) => (x.delivered > 0 ? (x.serverCpuUs - idleUs) / x.delivered : NaN);
    const vigilDelivery = r.vigil.map((x) => perDelivery(x, idleCpuUs.vigil));
    const bareDelivery = r.bare.map((x) => perDelivery(x, idleCpuUs.bare));
    const deliveryEfficiency = vigilDelivery.map((v, i) => bareDelivery[i]! / v);
    const share = (rs: RunResult[]) => `${(spread(pick(rs, 'deliveredShare')).min * 100).toFixed(1)} %`;
    return (
      `| ${num(n)} | ${fmtSpread(pick(r.vigil, 'deliveredPerS'))} | ${fmtSpread(pick(r.bare, 'deliveredPerS'))} | **${fmtSpread(rate, (x) => x.toFixed(2))}** | ` +
      `${fmtSpread(pick(r.vigil, 'p50'))} | ${fmtSpread(pick(r.bare, 'p50'))} | ${fmtSpread(pick(r.vigil, 'p99'))} | ${fmtSpread(pick(r.bare, 'p99'))} | ` +
      `${fmtSpread(pick(r.vigil, 'serverCpuUsPerMessage'))} | ${fmtSpread(pick(r.bare, 'serverCpuUsPerMessage'))} | **${fmtSpread(efficiency, (x) => x.toFixed(2))}** | ` +
      `${fmtSpread(vigilDelivery)} | ${fmtSpread(bareDelivery)} | **${fmtSpread(deliveryEfficiency, (x) => x.toFixed(2))}** | ` +
      `${share(r.vigil)} / ${share(r.bare)} | ${fmtSpread(pick(r.vigil, 'clientCpuUsPerMessage'))} |`
    );
  });
  const frameKb = frameSetBitrateBps(frames, FPS) / 8 / FPS / 1000;
  console.log(`## Fan-out: Vigil vs a bare \`ws\` broadcast server (loadgen/bench/fanout.bench.ts)

One stream of real H.264 1920x1080 fragments (${framesText(frames.name)}, at
${FPS} fps, ${num(frameKb)} kB per frame on average, \`prft\` stamped at send) to N viewers, through the real
Vigil server (Sentinel socket, validation, relay, recording with fdatasync; viewers logged in as a
proctor, subscribed as wall tiles) and through a bare \`ws\` server that forwards each binary
message to every client (\`loadgen/bench/bare-broadcast.mjs\`), same fragments, same run.
${pinned ? 'Both servers run under `taskset -c 0` with `--single-threaded-gc` (as `npm start` starts Node on one CPU: backend/src/gc-threads.ts; Vigil then also sets the heap growing factor of V8 to 1.5 on itself, the bare server keeps the default); the publisher and every viewer in one process on core 1.' : '**Not pinned** (fewer than 2 CPUs or no taskset): figures are not comparable to pinned runs.'}
A run: ${FRAGMENTS_PER_RUN} fragments at ${FPS} fps to every viewer; runs alternate Vigil and bare;
median of ${RUNS} runs (min–max). Delivered/s: live fragments received by all viewers ÷ (first send →
last delivery). Latency: receive time − \`prft\` time (one clock), ms, over every delivery of the run.
Server CPU per message: the server's CPU time over the run (all threads, /proc schedstat) ÷ messages
delivered, µs; "bare µs ÷ Vigil µs" is how many messages Vigil sends per core-second relative to bare
\`ws\`, i.e. its fan-out capacity on one core once the viewers are not the limit. Ratios are paired
(run i of Vigil against run i of bare). Delivered: worst run's share of the messages sent × viewers
(Vigil skips a viewer whose socket holds > 4 MiB to the next join fragment; bare \`ws\` queues
without bound). Per delivery: the same CPU time less the server's median CPU time over a run with
no viewer (${idleText}: receiving the stream, and for Vigil validating, buffering and recording
it with fdatasync, which a bare broadcast does not do), ÷ messages delivered, µs: the cost of
each extra viewer, which is what limits fan-out. The viewers' process costs about as much per message as a server, so at 1,000
viewers × ${FPS} fps it is near its core's limit and latency there is partly the client's.
Goal: Vigil ≥ 0.8× bare.

| viewers | Vigil delivered/s | bare delivered/s | delivered/s Vigil ÷ bare | Vigil p50 ms | bare p50 ms | Vigil p99 ms | bare p99 ms | Vigil server CPU µs/msg | bare server CPU µs/msg | bare µs ÷ Vigil µs | Vigil µs per delivery | bare µs per delivery | bare ÷ Vigil per delivery | delivered Vigil / bare (worst run) | client CPU µs/msg (Vigil runs) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
