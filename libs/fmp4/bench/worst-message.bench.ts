/**
 * Worst media message (issue 8, finding 5: parser amplification). The nastiest fMP4
 * payloads that fit in one media message (MAX_MEDIA_MESSAGE_BYTES = 8 MiB, enforced by the
 * WebSocket library's maxPayload before any parsing), each parsed as the server does for a
 * Sentinel upload: decodeMediaMessage (16-byte header), then parseFragment / parseInitSegment.
 * Peers in the same run: realistic 1080p fragments, and copying the 8 MiB message once
 * (what receiving it costs anyway). Prints a markdown section; run through `npm run bench`
 * (needs node --expose-gc, which tools/bench.mjs passes).
 */
import { MediaFlags, MediaKind, decodeMediaMessage, encodeMediaMessage } from '@vigil/protocol';
import { Fmp4Error, parseFragment, parseInitSegment } from '../src/index';
import {
  HOSTILE_PAYLOAD_BYTES,
  deepNestingFragment,
  hugeDeclaredSizes,
  initSegmentOfSize,
  manySizedSamplesFragment,
  manyTinyBoxesFragment,
  manyTinyBoxesInitSegment,
  realisticFragment,
  zeroSizeSamplesFragment,
} from '../src/testing/hostile';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');

interface Case {
  name: string;
  kind: MediaKind;
  payload: () => Uint8Array;
}

const CASES: Case[] = [
  { name: 'trun of 8 M zero-size samples (finding 5)', kind: MediaKind.Fragment, payload: () => zeroSizeSamplesFragment() },
  { name: 'trun of 1.7 M 1-byte samples, sizes add up', kind: MediaKind.Fragment, payload: () => manySizedSamplesFragment() },
  { name: 'moof with 1 M empty boxes', kind: MediaKind.Fragment, payload: () => manyTinyBoxesFragment() },
  { name: 'init segment with 1 M empty top-level boxes', kind: MediaKind.InitSegment, payload: () => manyTinyBoxesInitSegment() },
  { name: 'box nested 1 M levels deep', kind: MediaKind.Fragment, payload: () => deepNestingFragment() },
  { name: 'declared sizes of 2^53-1 and 4 GiB', kind: MediaKind.Fragment, payload: () => hugeDeclaredSizes() },
  { name: 'init segment declaring 65535x65535', kind: MediaKind.InitSegment, payload: () => initSegmentOfSize(65535, 65535) },
  { name: 'valid 8 MiB fragment, one sample (largest legal)', kind: MediaKind.Fragment, payload: () => realisticFragment(HOSTILE_PAYLOAD_BYTES - 140) },
  { name: 'peer: realistic 1080p IDR fragment, 300 kB', kind: MediaKind.Fragment, payload: () => realisticFragment(300_000) },
  { name: 'peer: realistic 1080p P fragment, 30 kB', kind: MediaKind.Fragment, payload: () => realisticFragment(30_000) },
];

const RUNS = 9;

/** What the server does with one Sentinel message; returns the outcome for the table. */
function handle(message: Uint8Array): string {
  const { header, payload } = decodeMediaMessage(message, { direction: 'sentinel-to-server' });
  try {
    if (header.kind === MediaKind.InitSegment) parseInitSegment(payload);
    else parseFragment(payload);
    return 'accepted';
  } catch (e) {
    if (e instanceof Fmp4Error) return `refused: ${e.reason}`;
    throw e;
  }
}

/** Median, min, max of `RUNS` timed calls (each one message: the event loop is blocked for exactly that long). */
function measure(fn: () => unknown): { ms: number[]; heap: number[] } {
  fn(); // warm up (JIT)
  const ms: number[] = [];
  const heap: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    gc!();
    const before = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    heap.push(process.memoryUsage().heapUsed - before);
  }
  return { ms, heap };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};
const fmtMs = (v: number) => (v < 0.1 ? v.toFixed(3) : v.toFixed(2));
const fmtKiB = (v: number) => (Math.max(0, v) / 1024).toFixed(1);

const rows: string[] = [];
let copyRow = '';
for (const c of CASES) {
  const payload = c.payload();
  const message = encodeMediaMessage({ kind: c.kind, flags: c.kind === MediaKind.Fragment ? MediaFlags.Join : 0, channel: 0, sequence: 2 }, payload);
  const outcome = handle(message);
  const { ms, heap } = measure(() => handle(message));
  const t = stats(ms);
  const h = stats(heap);
  rows.push(
    `| ${c.name} | ${(message.length / 2 ** 20).toFixed(2)} | ${outcome} | ${fmtMs(t.median)} | ${fmtMs(t.min)} | ${fmtMs(t.max)} | ${fmtKiB(h.median)} | ${fmtKiB(h.max)} |`,
  );
  if (!copyRow && message.length > 8_000_000) {
    const copy = measure(() => new Uint8Array(message.length).set(message));
    const ct = stats(copy.ms);
    copyRow = `| peer: copy the 8 MiB message once | 8.00 | - | ${fmtMs(ct.median)} | ${fmtMs(ct.min)} | ${fmtMs(ct.max)} | (buffer outside the heap) | |`;
  }
}

console.log(`## Worst media message: parser cost per message (libs/fmp4/bench/worst-message.bench.ts)

Each row is one binary message a Sentinel could send (at most 8 MiB: the WebSocket library's
maxPayload refuses more before any parsing), handled as the server does: \`decodeMediaMessage\`,
then \`parseFragment\` / \`parseInitSegment\`. Parsing is synchronous, so the time is how long
one message blocks the event loop. Median, min and max of ${RUNS} runs after a warm-up; heap is
\`heapUsed\` growth during one call, after a forced GC (median and max). The bounds that refuse
these inputs are in \`libs/fmp4/src/limits.ts\` (MAX_SAMPLES_PER_FRAGMENT 64, MAX_CHILD_BOXES 64,
MAX_DIMENSION 4096, MAX_AVCC_PARAMETER_SETS 4), checked before any per-sample or per-box work.
Before them, the first row was accepted after building 8 M sample objects
(finding 5: 2.3–2.8 s and 450 MiB per message).

| message | MiB | outcome | median ms | min ms | max ms | heap KiB (median) | heap KiB (max) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
${copyRow}`);
