/**
 * History over HTTP on long recordings (issue 9): time-range index queries, HLS playlist
 * generation and MP4 export of a 3-hour recording at 1 fps and at 5 fps (GOP 25 s), each
 * against a peer in the same run. Prints a markdown section. Run through `npm run bench`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { RecordingStore } from '../src/recording/recording-store';
import { recordingPlaylist } from '../src/recordings-api/hls-playlist';
import { exportMp4, planExport } from '../src/recordings-api/recording-export';
import { decodeMediaMessage } from '@vigil/protocol';
import { fragmentMessage, initMessage, toUnits } from '../src/testing/media-fixtures';
import { fragmentUnitFromMessage } from '../src/relay/unit-factory';
import type { InitUnit } from '../src/relay/media-unit';

const T0 = 1_764_000_000_000;
const HOURS = 3;
const GOP_SECONDS = 25;
const RUNS = 5;

/** Median, min and max of `runs` timings of `f`, ms. */
async function time(f: () => Promise<unknown>, runs = RUNS): Promise<{ median: number; min: number; max: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await f();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], min: ms[0], max: ms[ms.length - 1] };
}

const fmt = (t: { median: number; min: number; max: number }, digits = 2) => `${t.median.toFixed(digits)} (${t.min.toFixed(digits)}–${t.max.toFixed(digits)})`;

/**
 * Writes a recording through the real writer (fsync off: this measures reading): frame sizes
 * of a 1080p screen (an IDR of 120 KB every 25 s, P frames of 12 KB at 1 fps or 4 KB at 5 fps).
 */
async function buildRecording(dataDir: string, streamId: string, fps: number): Promise<{ frames: number; bytes: number }> {
  const store = new RecordingStore(dataDir, false);
  const rec = await store.open({ streamId, examId: 'bench', seatId: 'seat', encoder: 'webcodecs', userAgent: 'bench', createdAtMs: T0 });
  const frames = HOURS * 3600 * fps;
  const gop = GOP_SECONDS * fps;
  const pSize = fps === 1 ? 12_000 : 4_000;
  const [init] = toUnits([initMessage(1, 1920, 1080)]) as [InitUnit];
  await rec.write(init);
  let bytes = init.payload.byteLength;
  let previous = -1;
  for (let i = 0; i < frames; i++) {
    const message = fragmentMessage(i + 2, i, { fps, join: i % gop === 0, size: i % gop === 0 ? 120_000 : pSize, captureTimeMs: T0 + (i * 1000) / fps });
    const { header, payload } = decodeMediaMessage(message);
    const unit = fragmentUnitFromMessage(message, header, payload, init, previous, 1, T0);
    previous = unit.decodeTime;
    await rec.write(unit);
    bytes += unit.payload.byteLength;
  }
  await rec.close();
  return { frames, bytes };
}

async function bench(fps: number, dataDir: string): Promise<string[]> {
  const streamId = `bench-${fps}fps`;
  const built = await buildRecording(dataDir, streamId, fps);
  const from = T0 + 90 * 60_000; // 1 h 30 min in
  const to = from + 5 * 60_000;

  // index query for a 5-minute range: our timeline (parsed once, binary search) vs parsing and scanning index.jsonl per request
  const cold = await time(async () => (await new RecordingStore(dataDir, false).timeline(streamId)).range(from, to));
  const store = new RecordingStore(dataDir, false);
  await store.timeline(streamId);
  const warm = await time(async () => (await store.timeline(streamId)).range(from, to), 51);
  const scan = await time(async () => (await store.readIndex(streamId)).filter((e) => e.type === 'segment' && e.startMs <= to && e.startMs >= from - GOP_SECONDS * 1000), 21);

  const playlist5 = await time(() => recordingPlaylist(store, streamId, from, to, false));
  const playlistAll = await time(() => recordingPlaylist(store, streamId, 0, Number.MAX_SAFE_INTEGER, false));

  // export a 1-hour range vs `cat` of the same stored bytes, same run
  const timeline = await store.timeline(streamId);
  const range = timeline.range(T0 + 30 * 60_000, T0 + 90 * 60_000);
  const plan = planExport(range, timeline.range(0, Number.MAX_SAFE_INTEGER).segments);
  if (plan.kind !== 'one') throw new Error('bench: expected one part');
  const inputs = [plan.init, ...plan.segments.map((s) => s.file)].map((f) => store.filePath(streamId, f));
  let inputBytes = 0;
  for (const f of inputs) inputBytes += (await stat(f)).size;
  const catOut = path.join(dataDir, 'cat.out');
  const cat = await time(() => promisify(execFile)('sh', ['-c', `cat "$@" > ${catOut}`, 'cat', ...inputs]));
  const exported = await time(async () => rm(await exportMp4(store, streamId, plan), { force: true }));
  const mbps = (ms: number) => inputBytes / 2 ** 20 / (ms / 1000);
  return [
    `| ${fps} fps | ${built.frames.toLocaleString('en')} frames, ${(built.bytes / 2 ** 20).toFixed(0)} MiB, ${timeline.segmentCount} segments | ` +
      `${fmt(warm, 3)} | ${fmt(cold)} | ${fmt(scan)} | ${(scan.median / warm.median).toFixed(0)}× | ${fmt(playlist5)} | ${fmt(playlistAll)} | ` +
      `${mbps(exported.median).toFixed(0)} (${mbps(exported.max).toFixed(0)}–${mbps(exported.min).toFixed(0)}) | ${mbps(cat.median).toFixed(0)} | ${(cat.median / exported.median).toFixed(2)} |`,
  ];
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-bench-recordings-'));
  try {
    const rows = [...(await bench(1, dataDir)), ...(await bench(5, dataDir))];
    console.log(`## Recordings by time range, HLS and export (backend/bench/recordings.bench.ts)

A ${HOURS}-hour recording written by the real writer (1080p frame sizes: a 120 KB IDR every
${GOP_SECONDS} s, P frames of 12 KB at 1 fps or 4 KB at 5 fps). Times in ms, median of ${RUNS} runs
(51 for the warm query, 21 for the scan) with (min–max). "Index, warm": \`RecordingStore.timeline\`
already parsed, binary search for a 5-minute range 1 h 30 min in; "cold": a new store parses
\`index.jsonl\` first; "scan": the peer, parsing the whole index and filtering it on every request.
Export: a 1-hour range remuxed into one MP4 (stored fragments parsed by libs/fmp4, handed to
mediabunny as packets; mediabunny lays out the MP4 and writes its boxes, the sample bytes go
from the stored files to the MP4 in batched \`writev\`s), MiB/s of stored bytes, against
\`cat\` of the same files in the same run (goal: export ≥ 0.5× cat).

| rate | recording | index, warm | index, cold | scan (peer) | scan / warm | playlist, 5 min | playlist, 3 h | export MiB/s | cat MiB/s | export / cat |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

void main();
