import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ALL_FORMATS, Conversion, FilePathSource, FilePathTarget, Input, Mp4OutputFormat, Output } from 'mediabunny';
import type { RecordingStore } from '../recording/recording-store';
import type { TimelineRange, TimelineSegment } from '../recording/recording-timeline';
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
 * Writes one regular (non-fragmented) MP4 of a planned range into a temporary file, remuxed
 * without re-encoding by mediabunny (our libs/fmp4 stays the live path): the stored init
 * segment and segment files are joined into one fMP4, read by mediabunny and copied packet by
 * packet into an MP4 whose timeline starts at 0 at the first (IDR) frame, with the capture
 * time of that frame as its creation date.
 * @returns the temporary file's path; the caller removes it
 * @throws Error when mediabunny cannot copy the track (the message says why)
 */
export async function exportMp4(store: RecordingStore, streamId: string, plan: Extract<ExportPlan, { kind: 'one' }>): Promise<string> {
  const dir = path.join(tmpdir(), 'vigil-export');
  await mkdir(dir, { recursive: true });
  const id = randomUUID();
  const joined = path.join(dir, `${id}-in.mp4`);
  const output = path.join(dir, `${id}.mp4`);
  try {
    const out = createWriteStream(joined);
    for (const file of [plan.init, ...plan.segments.map((s) => s.file)]) {
      await pipeline(createReadStream(store.filePath(streamId, file)), out, { end: false });
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    const input = new Input({ source: new FilePathSource(joined), formats: ALL_FORMATS });
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
    input.dispose?.();
    return output;
  } catch (e) {
    await rm(output, { force: true });
    throw e;
  } finally {
    await rm(joined, { force: true });
  }
}
