import { randomUUID } from 'node:crypto';
import { FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ALL_FORMATS, Conversion, CustomSource, FilePathTarget, Input, Mp4OutputFormat, Output } from 'mediabunny';
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
 * The stored files read as one file (init segment, then the segments), without copying
 * them: a mediabunny source whose reads are served from the right file at the right offset.
 */
async function joinedSource(paths: readonly string[]): Promise<{ source: CustomSource; close(): Promise<void> }> {
  const files: { handle: FileHandle; start: number; size: number }[] = [];
  let total = 0;
  try {
    for (const p of paths) {
      const handle = await open(p, 'r');
      const size = (await handle.stat()).size;
      files.push({ handle, start: total, size });
      total += size;
    }
  } catch (e) {
    await Promise.all(files.map((f) => f.handle.close()));
    throw e;
  }
  const read = async (start: number, end: number): Promise<Uint8Array> => {
    const out = new Uint8Array(end - start);
    // binary search for the file holding `start`, then read across file ends
    let lo = 0;
    let hi = files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (files[mid].start <= start) lo = mid;
      else hi = mid - 1;
    }
    let done = 0;
    for (let i = lo; i < files.length && done < out.length; i++) {
      const f = files[i];
      const from = start + done - f.start;
      const length = Math.min(f.size - from, out.length - done);
      if (length <= 0) continue;
      const { bytesRead } = await f.handle.read(out, done, length, from);
      done += bytesRead;
      if (bytesRead < length) break;
    }
    return out;
  };
  return {
    source: new CustomSource({ getSize: () => total, read, prefetchProfile: 'fileSystem', maxCacheSize: 32 << 20 }),
    close: async () => {
      await Promise.all(files.map((f) => f.handle.close().catch(() => undefined)));
    },
  };
}

/**
 * Writes one regular (non-fragmented) MP4 of a planned range into a temporary file, remuxed
 * without re-encoding by mediabunny (our libs/fmp4 stays the live path): the stored init
 * segment and segment files are read as one fMP4 (no copy), and mediabunny copies them packet
 * by packet into an MP4 whose timeline starts at 0 at the first (IDR) frame, with the capture
 * time of that frame in its tags.
 * @returns the temporary file's path; the caller removes it
 * @throws Error when mediabunny cannot copy the track (the message says why)
 */
export async function exportMp4(store: RecordingStore, streamId: string, plan: Extract<ExportPlan, { kind: 'one' }>): Promise<string> {
  const dir = path.join(tmpdir(), 'vigil-export');
  await mkdir(dir, { recursive: true });
  const output = path.join(dir, `${randomUUID()}.mp4`);
  const joined = await joinedSource([plan.init, ...plan.segments.map((s) => s.file)].map((f) => store.filePath(streamId, f)));
  try {
    const input = new Input({ source: joined.source, formats: ALL_FORMATS });
    const target = new Output({ format: new Mp4OutputFormat({ fastStart: false }), target: new FilePathTarget(output) });
    const conversion = await Conversion.init({
      input,
      output: target,
      trim: { start: plan.startSeconds, ...(plan.endSeconds !== null ? { end: plan.endSeconds } : {}) },
      tags: { date: new Date(plan.startMs), comment: `Vigil recording ${streamId}, first frame captured ${new Date(plan.startMs).toISOString()}` },
      showWarnings: false,
    });
    if (!conversion.isValid) {
      throw new Error(`cannot export: ${conversion.discardedTracks.map((d) => d.reason).join(', ') || 'no usable track'}`);
    }
    await conversion.execute();
    input.dispose();
    return output;
  } catch (e) {
    await rm(output, { force: true });
    throw e;
  } finally {
    await joined.close();
  }
}
