/**
 * Server memory per stream: N synthetic Sentinels (the load generator's, real protocol, real
 * 1080p H.264 frames) stream into the real Vigil server (`dist/backend/main.js`, 20 s buffers,
 * the default) at 1 fps and at 5 fps; the server's memory is sampled every second once the
 * buffers are in steady state and compared, per stream, with the bound `20 s × bitrate + 256 KiB`.
 * Server under `taskset -c 0`, Sentinels on core 1. Prints a markdown section. Run through `npm run bench`.
 */
import { RunMetrics } from '../src/metrics';
import { frameIntervalMs, phaseOffsetMs } from '../src/pacing';
import { SyntheticSentinel } from '../src/sentinel';
import { sampleProcess } from '../src/spawn-server';
import { addSeats, benchFrames, canPinApart, fmtSpread, frameSetBitrateBps, framesText, note, num, pinSelf, sleep, spawnVigil, spread } from './bench-support';

/** Streams per run. */
const STREAMS = Number(process.env['MEMORY_STREAMS'] ?? 50);
/** `VIGIL_BUFFER_SECONDS`, the default. */
const BUFFER_SECONDS = 20;
/**
 * The frame loops have an IDR every 25 s (the Sentinel's longest keyframe interval) and the buffer
 * keeps whole segments overlapping the last 20 s, so it holds between 20 s and 45 s of media and
 * repeats every 25 s once the window has filled (20 s after the start): sampling from 20 s to 45 s
 * covers one whole cycle.
 */
const STEADY_FROM_S = 20;
const STEADY_TO_S = 45;
const MiB = 2 ** 20;

/** One memory reading of the server. */
interface MemorySample {
  /** Resident set size, bytes (/proc). */
  rss: number;
  /** V8 heap in use, bytes (`nodejs_heap_size_used_bytes`). */
  heap: number;
  /**
   * Memory of ArrayBuffers and Buffers outside the heap, bytes (`nodejs_external_memory_bytes`): where fragments
   * live; less the part of the chunk pool's reservation no chunk was carved from yet
   * (`vigil_buffer_pool_bytes{state="reserved"}`: address space, which V8 counts but no page backs).
   */
  external: number;
  /** The relay's own count of buffered fragment bytes over all streams (`vigil_buffered_bytes`). */
  buffered: number;
}

/** Reads the server's memory: RSS from /proc, the rest from its Prometheus `/metrics` (loopback access). */
async function readMemory(baseUrl: string, pid: number): Promise<MemorySample> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rss: sampleProcess(pid)?.rssBytes ?? NaN,
    heap: metric('nodejs_heap_size_used_bytes'),
    external: metric('nodejs_external_memory_bytes') - metric('vigil_buffer_pool_bytes{state="reserved"}'),
    buffered: metric('vigil_buffered_bytes'),
  };
}

/** Figures of one frame rate, per stream. */
interface RateResult {
  fps: number;
  bitrateBps: number;
  /** Bound per stream, bytes. */
  boundBytes: number;
  /** Per-stream figures of every steady-state sample, bytes. */
  rss: number[];
  heap: number[];
  external: number[];
  buffered: number[];
  unacked: number;
  errors: number;
}

/** Which frames the runs replayed (the cache folder's name), for the text. */
let framesName: string | null = null;

async function measureRate(fps: number, serverCpus: string | null): Promise<RateResult> {
  const frames = await benchFrames(fps);
  framesName = frames.name;
  const bitrateBps = frameSetBitrateBps(frames, fps);
  const vigil = await spawnVigil(serverCpus, { VIGIL_METRICS_LOOPBACK: 'true', VIGIL_BUFFER_SECONDS: String(BUFFER_SECONDS) });
  const result: RateResult = { fps, bitrateBps, boundBytes: BUFFER_SECONDS * (bitrateBps / 8) + 256 * 1024, rss: [], heap: [], external: [], buffered: [], unacked: 0, errors: 0 };
  try {
    const seats = await addSeats(vigil, STREAMS, fps);
    const { baseUrl, pid } = vigil.server;
    await sleep(2000); // start-up work settles
    const base = await readMemory(baseUrl, pid);
    const metrics = new RunMetrics(10);
    const sentinels = seats.map((seat) => new SyntheticSentinel({ baseUrl, seat, frames, fps, metrics }));
    const t0 = Date.now();
    // spread over one frame interval, as the load generator starts them
    sentinels.forEach((s, i) => setTimeout(() => s.start(Date.now()), phaseOffsetMs(i, frameIntervalMs(fps))));
    await sleep(STEADY_FROM_S * 1000);
    while (Date.now() - t0 < STEADY_TO_S * 1000) {
      const m = await readMemory(baseUrl, pid);
      result.rss.push((m.rss - base.rss) / STREAMS);
      result.heap.push((m.heap - base.heap) / STREAMS);
      result.external.push((m.external - base.external) / STREAMS);
      result.buffered.push(m.buffered / STREAMS);
      await sleep(1000);
    }
    for (const s of sentinels) s.stopCapture();
    const drainUntil = Date.now() + 10_000;
    while (Date.now() < drainUntil && sentinels.some((s) => s.pending > 0)) await sleep(100);
    result.unacked = sentinels.reduce((n, s) => n + s.pending, 0);
    result.errors = metrics.errorCount;
    await Promise.all(sentinels.map((s) => s.close()));
    note(
      `${fps} fps: per stream rss ${fmtSpread(result.rss.map((x) => x / MiB))} MiB, external ${fmtSpread(result.external.map((x) => x / MiB))} MiB, ` +
        `buffered ${fmtSpread(result.buffered.map((x) => x / MiB))} MiB, bound ${num(result.boundBytes / MiB)} MiB`,
    );
  } finally {
    await vigil.server.stop();
  }
  return result;
}

async function main(): Promise<void> {
  const pinned = canPinApart() && pinSelf('1');
  const serverCpus = pinned ? '0' : null;
  const results: RateResult[] = [];
  for (const fps of [1, 5]) results.push(await measureRate(fps, serverCpus));
  const mib = (x: number) => num(x / MiB);
  const rows = results.map((r) => {
    const worst = Math.max(spread(r.rss).max, spread(r.external).max, spread(r.buffered).max);
    return (
      `| ${r.fps} | ${num(r.bitrateBps / 1000)} | ${mib(r.boundBytes)} | ${fmtSpread(r.buffered, mib)} | ${fmtSpread(r.external, mib)} | ${fmtSpread(r.heap, mib)} | ` +
      `${fmtSpread(r.rss, mib)} | ${(spread(r.buffered).max / r.boundBytes).toFixed(2)} | ${(worst / r.boundBytes).toFixed(2)} | ${r.unacked} / ${r.errors} |`
    );
  });
  console.log(`## Server memory per stream (loadgen/bench/server-memory.bench.ts)

${STREAMS} synthetic Sentinels (the load generator's: real protocol, real 1080p H.264 frames:
${framesName ? framesText(framesName) : 'the load generator\'s frames'}, an IDR every 25 s) stream into the real server (20 s buffers, the default;
recording with fdatasync) at 1 fps and at 5 fps, one server per rate${pinned ? ' (server on core 0, Sentinels on core 1)' : ' (not pinned)'}.
Memory is read every second from ${STEADY_FROM_S} s to ${STEADY_TO_S} s after the start, one whole buffer cycle in
steady state (whole segments overlapping the last 20 s: between 20 s and 45 s of media with a 25 s
GOP), minus the same server's reading before the streams started, ÷ ${STREAMS}. MiB per stream, median
of the ${STEADY_TO_S - STEADY_FROM_S} readings (min–max); one run per rate (the spread is the buffer cycle, not noise).
"Buffered": the relay's own count (\`vigil_buffered_bytes\`); "external": Node's memory outside
the heap, where fragments live (\`nodejs_external_memory_bytes\`; freed bytes count until a GC; less the part
of the buffers' reservation no chunk was carved from yet, \`vigil_buffer_pool_bytes{state="reserved"}\`: address space, no memory);
"heap": V8 heap in use (garbage included); "RSS": the process. Bound: \`20 s × bitrate + 256 KiB\`
with the bitrate of the frames played (goal: every figure ≤ 1.00× the bound).

| fps | bitrate kbit/s | bound MiB | buffered | external | heap | RSS | buffered max / bound | worst max / bound | unacked / errors |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
