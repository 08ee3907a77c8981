import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output, StreamTarget, type StreamTargetChunk } from 'mediabunny';
import { fragmentsOfFile, parseInitSegment } from '@vigil/fmp4';
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
 * Size of the pieces mediabunny assembles before handing them to the file, bytes. Its default
 * (16 MiB) allocates a fresh zeroed 16 MiB array per piece; 1 MiB pieces cost a third less CPU
 * per export (measured with backend/bench/recordings.bench.ts) and bound the memory.
 */
export const EXPORT_WRITE_CHUNK_BYTES = 1 << 20;

/** Pieces handed to the file system before mediabunny waits for one to finish (overlaps writing with remuxing). */
const EXPORT_WRITES_IN_FLIGHT = 4;

/**
 * A WritableStream of mediabunny's positioned chunks into an open file (the MP4 writer writes
 * the `mdat` size last, at its start, so writes are positioned, not appended).
 */
function positionedFileWritable(file: FileHandle): WritableStream<StreamTargetChunk> {
  return new WritableStream<StreamTargetChunk>(
    {
      async write(chunk) {
        await file.write(chunk.data, 0, chunk.data.byteLength, chunk.position);
      },
    },
    { highWaterMark: EXPORT_WRITES_IN_FLIGHT },
  );
}

/**
 * Writes one regular (non-fragmented) MP4 of a planned range into a temporary file, remuxed
 * without re-encoding: the stored fragments are parsed by libs/fmp4 (the live path's own
 * reader: their boxes were validated on arrival) and their samples handed as packets to
 * mediabunny, which writes the MP4 (`moov` with the sample tables after one `mdat`). The
 * timeline starts at 0 at the first (IDR) frame; the capture time of that frame is in the
 * tags. Segment files are read whole, the next one while the current one is remuxed (a
 * segment is one GOP: at most a few MB), and mediabunny writes in 1 MiB pieces with a few in
 * flight, so memory stays bounded by two segments, the pieces in flight and mediabunny's
 * sample tables.
 * @returns the temporary file's path; the caller removes it
 * @throws Error when a stored file is not what the index says (the message says which), or
 *   the temporary file cannot be written (e.g. ENOSPC)
 */
export async function exportMp4(store: RecordingStore, streamId: string, plan: Extract<ExportPlan, { kind: 'one' }>): Promise<string> {
  const dir = path.join(tmpdir(), 'vigil-export');
  await mkdir(dir, { recursive: true });
  const output = path.join(dir, `${randomUUID()}.mp4`);
  const init = parseInitSegment(await readFile(store.filePath(streamId, plan.init)));
  const file = await open(output, 'w');
  const target = new Output({
    format: new Mp4OutputFormat({ fastStart: false }),
    target: new StreamTarget(positionedFileWritable(file), { chunked: true, chunkSize: EXPORT_WRITE_CHUNK_BYTES }),
  });
  const paths = plan.segments.map((segment) => store.filePath(streamId, segment.file));
  let next: Promise<Buffer> | null = null;
  try {
    const video = new EncodedVideoPacketSource('avc');
    target.addVideoTrack(video);
    target.setMetadataTags({ date: new Date(plan.startMs), comment: `Vigil recording ${streamId}, first frame captured ${new Date(plan.startMs).toISOString()}` });
    await target.start();
    const startTicks = Math.round(plan.startSeconds * init.timescale);
    const endTicks = plan.endSeconds === null ? Number.POSITIVE_INFINITY : plan.endSeconds * init.timescale;
    let first = true;
    let sequence = 0;
    next = paths.length > 0 ? readFile(paths[0]) : null;
    segments: for (let i = 0; i < paths.length; i++) {
      const segmentFile: Buffer = await next!;
      next = i + 1 < paths.length ? readFile(paths[i + 1]) : null;
      // stored files are whole fragments, one sample each (the server parsed every fragment before writing it)
      for (const { info, samples } of fragmentsOfFile(segmentFile)) {
        const sample = samples[0]!;
        if (info.baseMediaDecodeTime >= endTicks) break segments;
        if (info.baseMediaDecodeTime < startTicks) continue;
        const timestamp = (info.baseMediaDecodeTime - startTicks) / init.timescale;
        const packet = new EncodedPacket(sample, info.isSync ? 'key' : 'delta', timestamp, info.duration / init.timescale, sequence++);
        await video.add(
          packet,
          first ? { decoderConfig: { codec: init.codec, codedWidth: init.width, codedHeight: init.height, description: init.avcC } } : undefined,
        );
        first = false;
      }
    }
    if (first) throw new Error(`cannot export: no frame of ${streamId} in the planned range`);
    await target.finalize();
    await file.close();
    return output;
  } catch (e) {
    await next?.catch(() => undefined);
    await target.cancel().catch(() => undefined);
    await file.close().catch(() => undefined);
    await rm(output, { force: true });
    throw e;
  }
}
