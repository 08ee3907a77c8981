/**
 * Recording index fixtures for the review player's unit tests: `RecordingRangeView`
 * answers as `GET /api/recordings/:streamId/index` gives them. Test-only.
 */
import type { RecordingRangeView, TimelineGap, TimelineInit, TimelineSegment } from '@vigil/api';

/** Capture time of the first frame of the fixtures, ms since the Unix epoch. */
export const T0 = 1_767_000_000_000;

/** An init segment entry. */
export function initEntry(sequence: number, width = 1920, height = 1080, atMs = T0): TimelineInit {
  return { file: `${String(sequence).padStart(12, '0')}-init.mp4`, sequence, width, height, codec: 'avc1.42C028', atMs };
}

/**
 * A segment entry: starts `startS` seconds after {@link T0} (wall clock) at media time
 * `mediaS` seconds (tfdt = mediaS * 90000), `lengthS` seconds long (null = newest, open).
 */
export function segmentEntry(sequence: number, startS: number, lengthS: number | null, opts: { mediaS?: number; init?: TimelineInit; join?: boolean } = {}): TimelineSegment {
  const init = opts.init ?? initEntry(1);
  return {
    file: `${String(sequence).padStart(12, '0')}-seg.m4s`,
    sequence,
    init: init.file,
    join: opts.join ?? true,
    decodeTime: Math.round((opts.mediaS ?? startS) * 90_000),
    startMs: T0 + startS * 1000,
    endMs: lengthS === null ? null : T0 + (startS + lengthS) * 1000,
  };
}

/** A gap entry from `fromS` to `toS` seconds after {@link T0}. */
export function gapEntry(afterSequence: number, fromS: number, toS: number, reason: TimelineGap['reason'] = 'sentinel-restarted'): TimelineGap {
  return { fromMs: T0 + fromS * 1000, toMs: T0 + toS * 1000, reason, source: 'sentinel', afterSequence };
}

/** An index answer. */
export function indexView(segments: TimelineSegment[], opts: { inits?: TimelineInit[]; gaps?: TimelineGap[]; live?: boolean } = {}): RecordingRangeView {
  return {
    streamId: 'stream-1',
    live: opts.live ?? false,
    extent: segments.length ? { fromMs: segments[0]!.startMs, toMs: segments[segments.length - 1]!.endMs } : null,
    fromMs: 0,
    toMs: Number.MAX_SAFE_INTEGER,
    segments,
    inits: opts.inits ?? [initEntry(1)],
    gaps: opts.gaps ?? [],
  };
}
