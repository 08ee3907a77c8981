import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, NullTarget, Output } from 'mediabunny';
import { fragmentsOfFile, parseInitSegment } from '@vigil/fmp4';
import { writeFully } from '../recording/recording-fs';
import type { RecordingStore } from '../recording/recording-store';
import type { TimelineRange, TimelineSegment } from '@vigil/api';
import { TICKS_PER_SECOND } from '../relay/media-unit';

/** One run of segments that decode with one init segment (what one exported MP4 can hold). */
export interface ExportPart {
  init: string;
  fromMs: number;
  toMs: number | null;
}

/** What {@link planExport} decides (pure). */
export type ExportPlan =
  | { kind: 'empty' }
  /** The range crosses an init change (resolution, SPS/PPS): one file per part, listed for the caller. */
  | { kind: 'parts'; parts: ExportPart[] }
  | {
      kind: 'one';
      init: string;
      /** Segment files to join, from the join segment at or before `from`. */
      segments: TimelineSegment[];
      /** Where the output starts in the joined input's media time (`tfdt` of the join fragment), seconds. */
      startSeconds: number;
      /** Where the output ends in the joined input's media time, seconds, or null for its end. */
      endSeconds: number | null;
      /** Capture time of the first frame, ms since the Unix epoch. */
      startMs: number;
    };

/**
 * Plans an export of `[fromMs, toMs]` (pure): it starts at the join segment at or before
 * `from` (a player needs an IDR picture first), ends at `to` (media time), and needs one
 * init segment. A range that crosses an init change is not joined into one file (an MP4
 * track has one sample description here): the plan lists the parts instead.
 * @param all every segment of the recording, in order (to walk back to a join segment)
 */
export function planExport(range: TimelineRange, all: readonly TimelineSegment[]): ExportPlan {
  if (range.segments.length === 0) return { kind: 'empty' };
  let first = all.indexOf(range.segments[0]);
  while (first > 0 && !all[first].join && all[first - 1].init === all[first].init) first--;
  const last = all.indexOf(range.segments[range.segments.length - 1]);
  const segments = all.slice(first, last + 1);
  const inits = [...new Set(segments.map((s) => s.init))];
  if (inits.length > 1) {
    const parts: ExportPart[] = [];
    for (const s of segments) {
      const current = parts[parts.length - 1];
      if (current && current.init === s.init) current.toMs = s.endMs === null ? null : Math.min(range.toMs, s.endMs);
      else parts.push({ init: s.init, fromMs: Math.max(range.fromMs, s.startMs), toMs: s.endMs === null ? null : Math.min(range.toMs, s.endMs) });
    }
    return { kind: 'parts', parts };
  }
  const base = segments[0];
  const lastSegment = segments[segments.length - 1];
  const endsInside = lastSegment.endMs === null || range.toMs < lastSegment.endMs;
  const startSeconds = base.decodeTime / TICKS_PER_SECOND;
  const endSeconds = endsInside && range.toMs < Number.MAX_SAFE_INTEGER ? lastSegment.decodeTime / TICKS_PER_SECOND + Math.max(0, range.toMs - lastSegment.startMs) / 1000 : null;
  return { kind: 'one', init: base.init, segments, startSeconds, endSeconds: endSeconds === null ? null : Math.max(endSeconds, startSeconds + 0.001), startMs: base.startMs };
}

/**
 * Bytes of stored samples gathered before they are handed to the file system in one positioned
 * `writev` (one write in flight while the next batch gathers): few system calls, bounded memory.
 */
export const EXPORT_WRITE_BATCH_BYTES = 1 << 20;

/** At most this many buffers per `writev` (IOV_MAX on Linux). */
const EXPORT_WRITE_BATCH_BUFFERS = 1024;

/**
 * Segment files read ahead of the one being remuxed (each read is a few round trips to the
 * thread pool). Measured on the 1-hour export of backend/bench/recordings.bench.ts (median of
 * 15 runs): one ahead took 82 ms at 1 fps and 146 ms at 5 fps, three 59 ms and 121 ms, five
 * no less.
 */
const EXPORT_READ_AHEAD = 3;

/**
 * Bytes mediabunny's MP4 writer (`fastStart: false`) reserves between the `ftyp` and the first
 * sample for the `mdat` header (a 64-bit size is possible until the end); see {@link mdatHeader}.
 */
export const MDAT_HEADER_BYTES = 16;

const FOURCC = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * The {@link MDAT_HEADER_BYTES} bytes before the samples of an exported MP4 (pure): below
 * 4 GiB a `free` box of 8 bytes then an 8-byte `mdat` header (the layout ffmpeg writes), else
 * an `mdat` header with a 64-bit largesize (ISO/IEC 14496-12 §4.2). Either way the samples
 * start right after it, where mediabunny's chunk offsets point.
 * @param mdatBytes bytes from the start of the header to the end of the last sample
 * @throws RangeError when `mdatBytes` is not an integer in [16, 2^53)
 */
export function mdatHeader(mdatBytes: number): Uint8Array {
  if (!Number.isSafeInteger(mdatBytes) || mdatBytes < MDAT_HEADER_BYTES) throw new RangeError(`mdat of ${mdatBytes} bytes`);
  const header = new Uint8Array(MDAT_HEADER_BYTES);
  const view = new DataView(header.buffer);
  if (mdatBytes - 8 < 2 ** 32) {
    view.setUint32(0, 8);
    header.set(FOURCC('free'), 4);
    view.setUint32(8, mdatBytes - 8);
    header.set(FOURCC('mdat'), 12);
  } else {
    view.setUint32(0, 1);
    header.set(FOURCC('mdat'), 4);
    view.setUint32(8, Math.floor(mdatBytes / 2 ** 32));
    view.setUint32(12, mdatBytes >>> 0);
  }
  return header;
}

/**
 * Checks, from mediabunny's `write` events (`{ start, end }` byte ranges of what its MP4 writer
 * writes), that it lays the samples out exactly where the export writes them itself: one write
 * per sample, in the order added, contiguous from the end of the `mdat` header, and nothing
 * else inside them (the `moov` after them). The export copies the stored sample bytes straight
 * to the file, so a different layout in some mediabunny version would make a wrong file: this
 * turns it into an error instead.
 *
 * Use: feed every event to {@link observe}; {@link begin} once the header is written;
 * {@link place} for every sample before it is added; {@link finish} after finalizing.
 */
export class SampleLayoutCheck {
  /** Sizes of the placed samples mediabunny has not written yet, oldest first (from `head`). */
  private pending: number[] = [];
  private head = 0;
  private payloadStart = Number.POSITIVE_INFINITY;
  private headerEnd = 0;
  /** Where the next sample goes (file offset). */
  private placedEnd = 0;
  /** Where mediabunny's next sample write must start (file offset). */
  private seenEnd = 0;
  private placedCount = 0;
  private seenCount = 0;
  private problem: string | null = null;

  /** One write event of mediabunny's target (a listener: never throws; a mismatch is kept for {@link check}). */
  observe(start: number, end: number): void {
    if (end <= this.payloadStart) {
      this.headerEnd = Math.max(this.headerEnd, end); // ftyp and mdat header (written at start, its size patched at the end)
    } else if (this.head < this.pending.length) {
      const size = this.pending[this.head++];
      if (this.head === this.pending.length) {
        this.pending = [];
        this.head = 0;
      }
      if (start !== this.seenEnd || end - start !== size) {
        this.problem ??= `mediabunny wrote [${start}, ${end}) where sample ${this.seenCount} is, at [${this.seenEnd}, ${this.seenEnd + size})`;
      }
      this.seenEnd += size;
      this.seenCount++;
    } else if (start < this.seenEnd) {
      this.problem ??= `mediabunny wrote [${start}, ${end}) over the samples (they end at byte ${this.seenEnd})`;
    }
  }

  /**
   * The header is written: samples start at `payloadStart` (file offset).
   * @throws Error when what mediabunny wrote so far does not end exactly there
   */
  begin(payloadStart: number): void {
    if (this.headerEnd !== payloadStart) throw new Error(`cannot export: mediabunny's MP4 header ends at byte ${this.headerEnd}, expected ${payloadStart}`);
    this.payloadStart = this.placedEnd = this.seenEnd = payloadStart;
  }

  /** Places the next sample, `size` bytes. @returns its file offset */
  place(size: number): number {
    const at = this.placedEnd;
    this.pending.push(size);
    this.placedEnd += size;
    this.placedCount++;
    return at;
  }

  /** Where the samples placed so far end (file offset). */
  get end(): number {
    return this.placedEnd;
  }

  /** @throws Error naming the first write that did not match */
  check(): void {
    if (this.problem !== null) throw new Error(`cannot export: ${this.problem}`);
  }

  /**
   * After finalizing: every placed sample was written where placed, and the `moov` starts
   * right after the last one.
   * @param moovPosition file offset of the `moov` (mediabunny's `onMoov`)
   * @throws Error when not
   */
  finish(moovPosition: number): void {
    this.check();
    if (this.seenCount !== this.placedCount) throw new Error(`cannot export: mediabunny wrote ${this.seenCount} of ${this.placedCount} samples`);
    if (moovPosition !== this.placedEnd) throw new Error(`cannot export: the moov is at byte ${moovPosition}, the samples end at byte ${this.placedEnd}`);
  }
}

/**
 * Positioned writes of contiguous byte runs into an open file: buffers are gathered (not
 * copied) into batches of about {@link EXPORT_WRITE_BATCH_BYTES} and written with one
 * `writev` each, one batch in flight while the next gathers. Short writes are continued.
 */
class BatchedFileWriter {
  private batch: Uint8Array[] = [];
  private start = 0;
  private end = 0;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly file: FileHandle) {}

  /**
   * Queues `data` for file offset `position`, which must follow the queued bytes; the caller
   * must not change `data` until {@link close} resolves.
   */
  push(data: Uint8Array, position: number): void {
    if (this.batch.length === 0) this.start = this.end = position;
    else if (position !== this.end) throw new Error(`export: write at ${position} does not follow ${this.end}`);
    this.batch.push(data);
    this.end += data.byteLength;
  }

  /** Starts writing the queued bytes once they make a batch (waits for the previous batch first). */
  async flushIfFull(): Promise<void> {
    if (this.end - this.start >= EXPORT_WRITE_BATCH_BYTES) await this.flush();
  }

  /** Starts writing the queued bytes, after the previous batch is written. */
  async flush(): Promise<void> {
    await this.inFlight;
    if (this.batch.length === 0) return;
    this.inFlight = writeAllAt(this.file, this.batch, this.start);
    this.batch = [];
  }

  /** Writes what is queued and waits for every write. @throws the first write error */
  async close(): Promise<void> {
    await this.flush();
    await this.inFlight;
  }

  /** Waits for the write in flight, ignoring its error (cleanup after a failure). */
  async abandon(): Promise<void> {
    this.batch = [];
    await this.inFlight.catch(() => undefined);
  }
}

/**
 * Writes `buffers` one after the other from file offset `position`, with `writev` (at most
 * {@link EXPORT_WRITE_BATCH_BUFFERS} at a time), continuing short writes.
 * @throws the write's error, or an `ENOSPC`-coded Error when a write stores 0 bytes
 */
async function writeAllAt(file: FileHandle, buffers: readonly Uint8Array[], position: number): Promise<void> {
  for (let i = 0; i < buffers.length; i += EXPORT_WRITE_BATCH_BUFFERS) {
    const group = buffers.slice(i, i + EXPORT_WRITE_BATCH_BUFFERS);
    let { bytesWritten } = await file.writev(group, position);
    for (const buffer of group) {
      const done = Math.min(bytesWritten, buffer.byteLength);
      bytesWritten -= done;
      // a short writev: the rest of this buffer (and the buffers after it) one by one
      if (done < buffer.byteLength) await writeFully(file, buffer.subarray(done), position + done);
      position += buffer.byteLength;
    }
  }
}

/**
 * Writes one regular (non-fragmented) MP4 of a planned range into a temporary file, remuxed
 * without re-encoding: the stored fragments are parsed by libs/fmp4 (the live path's own
 * reader: their boxes were validated on arrival) and their samples handed as packets to
 * mediabunny, which makes the MP4 (`ftyp`, `mdat` header, then the `moov` with the sample
 * tables after the samples; `fastStart: false`). mediabunny writes into a `NullTarget` and
 * hands over its `ftyp` and `moov` bytes (`onFtyp`, `onMoov`); the sample bytes are written by
 * this function straight from the stored files, where mediabunny lays them out (checked write
 * by write with {@link SampleLayoutCheck}), so they are neither copied nor merged on the way.
 * The timeline starts at 0 at the first (IDR) frame; the capture time of that frame is in the
 * tags. Segment files are read whole, {@link EXPORT_READ_AHEAD} ahead of the one remuxed (a
 * segment is one GOP: at most a few MB), and written in batches of about 1 MiB, so memory
 * stays bounded by a few segments and mediabunny's sample tables.
 * @returns the temporary file's path; the caller removes it
 * @throws Error when a stored file is not what the index says (the message says which), when
 *   mediabunny's layout is not the one checked, or the temporary file cannot be written (e.g. ENOSPC)
 */
export async function exportMp4(store: RecordingStore, streamId: string, plan: Extract<ExportPlan, { kind: 'one' }>): Promise<string> {
  const dir = path.join(tmpdir(), 'vigil-export');
  await mkdir(dir, { recursive: true });
  const output = path.join(dir, `${randomUUID()}.mp4`);
  const init = parseInitSegment(await readFile(store.filePath(streamId, plan.init)));
  const file = await open(output, 'w');
  const layout = new SampleLayoutCheck();
  const nullTarget = new NullTarget();
  nullTarget.on('write', ({ start, end }) => layout.observe(start, end));
  let ftyp: { data: Uint8Array; position: number } | null = null;
  let moov: { data: Uint8Array; position: number } | null = null;
  const target = new Output({
    format: new Mp4OutputFormat({
      fastStart: false,
      onFtyp: (data, position) => void (ftyp = { data, position }),
      onMoov: (data, position) => void (moov = { data, position }),
    }),
    target: nullTarget,
  });
  const writer = new BatchedFileWriter(file);
  const paths = plan.segments.map((segment) => store.filePath(streamId, segment.file));
  const ahead: Promise<Buffer>[] = [];
  const added: Promise<void>[] = [];
  let finalized = false;
  try {
    const video = new EncodedVideoPacketSource('avc');
    target.addVideoTrack(video);
    target.setMetadataTags({ date: new Date(plan.startMs), comment: `Vigil recording ${streamId}, first frame captured ${new Date(plan.startMs).toISOString()}` });
    await target.start();
    const head = ftyp as { data: Uint8Array; position: number } | null;
    if (head === null || head.position !== 0) throw new Error('cannot export: mediabunny wrote no ftyp at the start');
    layout.begin(head.data.byteLength + MDAT_HEADER_BYTES);
    const startTicks = Math.round(plan.startSeconds * init.timescale);
    const endTicks = plan.endSeconds === null ? Number.POSITIVE_INFINITY : plan.endSeconds * init.timescale;
    let first = true;
    let sequence = 0;
    const readAhead = (k: number) => {
      const read = readFile(paths[k]);
      read.catch(() => undefined); // rejects when awaited in turn, not as an unhandled rejection before
      ahead.push(read);
    };
    for (let k = 0; k < EXPORT_READ_AHEAD && k < paths.length; k++) readAhead(k);
    segments: for (let i = 0; i < paths.length; i++) {
      const segmentFile: Buffer = await ahead.shift()!;
      if (i + EXPORT_READ_AHEAD < paths.length) readAhead(i + EXPORT_READ_AHEAD);
      // stored files are whole fragments, one sample each (the server parsed every fragment before writing it)
      for (const { info, samples } of fragmentsOfFile(segmentFile)) {
        const sample = samples[0]!;
        if (info.baseMediaDecodeTime >= endTicks) break segments;
        if (info.baseMediaDecodeTime < startTicks) continue;
        writer.push(sample, layout.place(sample.byteLength));
        const timestamp = (info.baseMediaDecodeTime - startTicks) / init.timescale;
        const packet = new EncodedPacket(sample, info.isSync ? 'key' : 'delta', timestamp, info.duration / init.timescale, sequence++);
        // the packets of a segment file are added without waiting for each (mediabunny queues
        // them in order on its mutex), then awaited together: fewer turns of the event loop
        added.push(
          video.add(packet, first ? { decoderConfig: { codec: init.codec, codedWidth: init.width, codedHeight: init.height, description: init.avcC } } : undefined),
        );
        first = false;
      }
      await Promise.all(added);
      added.length = 0;
      layout.check();
      await writer.flushIfFull();
    }
    await Promise.all(added);
    if (first) throw new Error(`cannot export: no frame of ${streamId} in the planned range`);
    await target.finalize();
    finalized = true;
    const tail = moov as { data: Uint8Array; position: number } | null;
    if (tail === null) throw new Error('cannot export: mediabunny wrote no moov');
    layout.finish(tail.position);
    writer.push(tail.data, tail.position);
    await writer.close();
    await writeAllAt(file, [head.data, mdatHeader(layout.end - head.data.byteLength)], 0);
    await file.close();
    return output;
  } catch (e) {
    await Promise.allSettled([...ahead, ...added]);
    if (!finalized) await target.cancel().catch(() => undefined);
    await writer.abandon();
    await file.close().catch(() => undefined);
    await rm(output, { force: true });
    throw e;
  }
}
