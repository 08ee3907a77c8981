/**
 * A recording as the review player sees it (pure): the server's time-range index
 * (`GET /api/recordings/:streamId/index`, {@link RecordingRangeView}) merged across polls,
 * each segment placed on the SourceBuffer's media timeline, and the frames of the segment
 * files fetched so far. Everything that maps a wall-clock moment to media time and back,
 * finds holes and steps frames lives here, without DOM or network.
 *
 * Terms (shared/spec/DESIGN.md): an init segment (`ftyp` + `moov`); a fragment
 * (`prft` + `moof` + `mdat`, one frame); a join fragment (starts with an IDR picture);
 * a segment (one stored `.m4s` file: a join fragment and the fragments up to the next one).
 *
 * Units: wall clock (`…Ms`) in ms since the Unix epoch on the Sentinel's capture clock
 * (`prft`); decode times in 90 kHz ticks (`tfdt`); media time in seconds on the
 * SourceBuffer's timeline = `tfdt / timescale + offset`.
 *
 * Placement: a Sentinel's media time runs on its capture clock and continues across
 * reconnects and page reloads (a reloaded page resumes the stream's timeline), so normally
 * every segment is appended at its own `tfdt` (offset 0) and a hole in the wall clock is a
 * hole of the same length in media time. Should a segment's `tfdt` go backwards (another
 * encoder, a clock reset), it and the ones after it get a `SourceBuffer.timestampOffset`
 * that puts it where the wall clock says, after the previous one, so nothing overlaps.
 */
import type { RecordingRangeView, TimelineGap, TimelineInit, TimelineSegment } from '@vigil/api';
import { watchdogWaitMs } from '../player/live-edge';

/** 90 kHz: the `mdhd` timescale of Vigil's H.264 track (ticks per second). */
export const TICKS_PER_SECOND = 90_000;

/** Wall-clock distance between segments still counted as one run, ms (capture-clock jitter). */
export const CONTIGUOUS_TOLERANCE_MS = 1000;

/** A segment placed on the SourceBuffer's media timeline. */
export interface PlacedSegment extends TimelineSegment {
  /** Position in {@link RecordingModel.segments}. */
  readonly index: number;
  /** `SourceBuffer.timestampOffset` to append it with, seconds. */
  readonly offset: number;
  /** Where its first frame is presented: `decodeTime / 90000 + offset`, seconds of media time. */
  readonly mediaStart: number;
  /**
   * Where it ends, seconds of media time: the next segment's start when that follows
   * without a hole, else its start plus its wall-clock length; null while unknown (the
   * newest segment, see {@link FrameStore} for its frames).
   */
  readonly mediaEnd: number | null;
}

/** The recording's index, merged and placed. Immutable: every update returns a new model. */
export interface RecordingModel {
  readonly streamId: string;
  /** The stream is live: the recording grows, poll again. */
  readonly live: boolean;
  /** In order of sequence number (= capture order). */
  readonly segments: readonly PlacedSegment[];
  /** Init segments by file name. */
  readonly inits: ReadonlyMap<string, TimelineInit>;
  /** Gaps with their reasons, by start. */
  readonly gaps: readonly TimelineGap[];
}

/** One frame (fragment) of a fetched segment file. */
export interface Frame {
  /** Wire sequence number (`mfhd`). */
  readonly sequence: number;
  /** Presentation (= decode: no B frames) start and end, seconds of media time (offset applied). */
  readonly mediaStart: number;
  readonly mediaEnd: number;
  /** Capture time from `prft`, ms since the Unix epoch; null without `prft`. */
  readonly captureMs: number | null;
  /** Starts with an IDR picture. */
  readonly join: boolean;
}

/** What is known of a segment file's frames: the fragments fetched so far, in order. */
export interface SegmentFrames {
  readonly frames: readonly Frame[];
  /** Bytes of the file read so far (whole fragments only): the next `Range: bytes=` start. */
  readonly bytes: number;
  /**
   * Every frame of the file is here: it was read after the index closed the segment
   * (`endMs` known), so the file no longer grows. Its last frame's end is then the
   * segment's exact media end.
   */
  readonly complete?: boolean;
}

/** Fetched frames by segment file name. */
export type FrameStore = ReadonlyMap<string, SegmentFrames>;

/** A hole in the recording: a gap from the index, or segments that do not meet. */
export interface Hole {
  /** Wall clock, ms since the Unix epoch. */
  readonly fromMs: number;
  readonly toMs: number;
  /** The index's reason, or `not-recorded` where no gap line explains it. */
  readonly reason: TimelineGap['reason'] | 'not-recorded';
  readonly source: TimelineGap['source'] | null;
}

/** An empty model (nothing recorded yet). */
export function emptyModel(streamId: string): RecordingModel {
  return { streamId, live: true, segments: [], inits: new Map(), gaps: [] };
}

/**
 * Merges an index answer into the model: segments by file (a newer answer replaces the
 * entry, e.g. the newest segment's `endMs` becomes known), init segments by file, gaps by
 * their range and reason. Works for the whole recording and for `?from=` answers that
 * only hold the newest part.
 */
export function mergeIndex(model: RecordingModel, view: RecordingRangeView): RecordingModel {
  const byFile = new Map<string, TimelineSegment>(model.segments.map((s) => [s.file, s]));
  for (const s of view.segments) byFile.set(s.file, s);
  const segments = [...byFile.values()].sort((a, b) => a.sequence - b.sequence);
  const inits = new Map(model.inits);
  for (const i of view.inits) inits.set(i.file, i);
  const gapKey = (g: TimelineGap) => `${g.fromMs}|${g.toMs}|${g.reason}|${g.afterSequence}`;
  const gaps = new Map(model.gaps.map((g) => [gapKey(g), g]));
  for (const g of view.gaps) gaps.set(gapKey(g), g);
  return {
    streamId: view.streamId,
    live: view.live,
    segments: placeSegments(segments, [...gaps.values()]),
    inits,
    gaps: [...gaps.values()].sort((a, b) => a.fromMs - b.fromMs),
  };
}

/**
 * Places segments on the media timeline (see the file comment). Pure and stable: a
 * segment's offset depends on the segments before it only, so segments appended to the
 * SourceBuffer keep their place when the index grows.
 */
export function placeSegments(segments: readonly TimelineSegment[], gaps: readonly TimelineGap[] = []): PlacedSegment[] {
  const starts: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const raw = s.decodeTime / TICKS_PER_SECOND;
    if (i === 0) {
      offsets.push(0);
      starts.push(raw);
      continue;
    }
    const prev = segments[i - 1]!;
    const prevStart = starts[i - 1]!;
    let offset = offsets[i - 1]!;
    if (raw + offset <= prevStart) {
      // tfdt went backwards: place it by the wall clock, after the previous segment's start
      const prevLength = prev.endMs !== null ? Math.max(0, prev.endMs - prev.startMs) / 1000 : 0;
      const byWall = prevStart + Math.max(prevLength, (s.startMs - prev.startMs) / 1000, 0.001);
      offset = byWall - raw;
    }
    offsets.push(offset);
    starts.push(raw + offset);
  }
  return segments.map((s, i) => {
    const next = segments[i + 1];
    let mediaEnd: number | null = null;
    if (next && offsets[i + 1] === offsets[i] && s.endMs !== null && next.startMs - s.endMs <= CONTIGUOUS_TOLERANCE_MS && !gapBetween(gaps, s, next)) {
      mediaEnd = starts[i + 1]!;
    } else if (s.endMs !== null) {
      mediaEnd = starts[i]! + Math.max(0, s.endMs - s.startMs) / 1000;
      if (next) mediaEnd = Math.min(mediaEnd, starts[i + 1]!);
    }
    return { ...s, index: i, offset: offsets[i]!, mediaStart: starts[i]!, mediaEnd };
  });
}

function gapBetween(gaps: readonly TimelineGap[], a: TimelineSegment, b: TimelineSegment): boolean {
  return gaps.some((g) => g.afterSequence >= a.sequence && g.afterSequence < b.sequence && g.toMs > g.fromMs);
}

// ---------------------------------------------------------------------------
// Ends: the index leaves the newest segment open; its fetched frames close it

/**
 * Media end of a segment, seconds: its last frame's end once all its frames are fetched
 * ({@link SegmentFrames.complete}: exact, `tfdt` + duration); else the index's (the next
 * segment's start, or an estimate from the wall clock, which can be off by the gap between
 * capture times and media time); else its fetched frames' end; else its start.
 */
export function segmentMediaEnd(s: PlacedSegment, frames: FrameStore): number {
  const fetched = frames.get(s.file);
  const last = fetched?.frames[fetched.frames.length - 1];
  if (fetched?.complete && last) return last.mediaEnd;
  if (s.mediaEnd !== null) return s.mediaEnd;
  return last ? last.mediaEnd : s.mediaStart;
}

/** Wall-clock end of a segment, ms: the index's `endMs`, else its last fetched frame's capture time + duration, else its start. */
export function segmentWallEnd(s: PlacedSegment, frames: FrameStore): number {
  if (s.endMs !== null) return s.endMs;
  const f = frames.get(s.file)?.frames;
  const last = f?.[f.length - 1];
  if (last && last.captureMs !== null) return Math.max(s.startMs, last.captureMs + (last.mediaEnd - last.mediaStart) * 1000);
  return s.startMs + (segmentMediaEnd(s, frames) - s.mediaStart) * 1000;
}

/** First and last recorded moment, wall clock (ms), or null when nothing is recorded. */
export function recordingSpan(model: RecordingModel, frames: FrameStore): { fromMs: number; toMs: number } | null {
  const first = model.segments[0];
  const last = model.segments[model.segments.length - 1];
  if (!first || !last) return null;
  return { fromMs: first.startMs, toMs: Math.max(first.startMs, segmentWallEnd(last, frames)) };
}

/** Media end of the whole recording as known, seconds (0 when empty). */
export function recordingMediaEnd(model: RecordingModel, frames: FrameStore): number {
  const last = model.segments[model.segments.length - 1];
  return last ? segmentMediaEnd(last, frames) : 0;
}

// ---------------------------------------------------------------------------
// Lookups

/** Index of the last segment whose media start is at or before `t` (seconds), or -1. Binary search. */
export function segmentIndexAtMedia(model: RecordingModel, t: number): number {
  return lastAtOrBefore(model.segments, t + 1e-6, (s) => s.mediaStart);
}

/** Index of the last segment whose wall-clock start is at or before `ms`, or -1. Binary search. */
export function segmentIndexAtWall(model: RecordingModel, ms: number): number {
  return lastAtOrBefore(model.segments, ms, (s) => s.startMs);
}

/** The frame presented at media time `t` (seconds) among the fetched frames of its segment, or null. */
export function frameAt(model: RecordingModel, frames: FrameStore, t: number): Frame | null {
  const i = segmentIndexAtMedia(model, t);
  if (i < 0) return null;
  const list = frames.get(model.segments[i]!.file)?.frames ?? [];
  const k = lastAtOrBefore(list, t + 1e-4, (f) => f.mediaStart);
  return k >= 0 ? list[k]! : null;
}

/**
 * Wall-clock capture time of what is on screen at media time `t`, ms: the `prft` of the
 * frame presented there when its segment was fetched, else interpolated from its segment's
 * start (`startMs` + media time since the segment's start). Null before the first segment.
 */
export function wallClockAt(model: RecordingModel, frames: FrameStore, t: number): number | null {
  const frame = frameAt(model, frames, t);
  if (frame && frame.captureMs !== null) return frame.captureMs;
  const i = segmentIndexAtMedia(model, t);
  if (i < 0) return null;
  const s = model.segments[i]!;
  const end = segmentMediaEnd(s, frames);
  return s.startMs + (Math.min(Math.max(t, s.mediaStart), Math.max(end, s.mediaStart)) - s.mediaStart) * 1000;
}

/** Where a wall-clock moment is in the recording. */
export type WallClockTarget =
  /** Recorded: seek to `mediaTime` (seconds). `frame` is the frame captured at or just before it, when fetched. */
  | { readonly kind: 'recorded'; readonly mediaTime: number; readonly segment: number; readonly frame: Frame | null }
  /** In a hole: the recording goes on at `mediaTime` (the next segment's start). */
  | { readonly kind: 'hole'; readonly mediaTime: number; readonly segment: number; readonly hole: Hole }
  /** Before the first segment: seek to its start. */
  | { readonly kind: 'before'; readonly mediaTime: number; readonly segment: number }
  /** After the end of what is recorded so far: seek to the last frame. */
  | { readonly kind: 'after'; readonly mediaTime: number; readonly segment: number }
  /** Nothing recorded. */
  | { readonly kind: 'empty' };

/** Offset into a frame when seeking to it, seconds: the element then certainly presents that frame. */
export const FRAME_SEEK_EPSILON = 0.001;

/**
 * Maps a wall-clock moment (ms since the Unix epoch) to the media time to seek to: inside
 * a recorded stretch, the frame captured at or before the moment (by `prft` once its
 * segment was fetched, else interpolated in the segment); in a hole, the start of the next
 * segment with the hole that is skipped.
 */
export function wallClockTarget(model: RecordingModel, frames: FrameStore, ms: number): WallClockTarget {
  const segs = model.segments;
  if (segs.length === 0) return { kind: 'empty' };
  const i = segmentIndexAtWall(model, ms);
  if (i < 0) return { kind: 'before', mediaTime: segs[0]!.mediaStart + FRAME_SEEK_EPSILON, segment: 0 };
  const s = segs[i]!;
  const wallEnd = segmentWallEnd(s, frames);
  const next = segs[i + 1];
  const last = i === segs.length - 1;
  if (ms > wallEnd + (last ? 0 : CONTIGUOUS_TOLERANCE_MS) && (!next || next.startMs > ms)) {
    if (!next) {
      const end = segmentMediaEnd(s, frames);
      const lastFrame = frames.get(s.file)?.frames.at(-1);
      return { kind: 'after', mediaTime: lastFrame ? lastFrame.mediaStart + FRAME_SEEK_EPSILON : Math.max(s.mediaStart, end - FRAME_SEEK_EPSILON), segment: i };
    }
    if (next.startMs - wallEnd > CONTIGUOUS_TOLERANCE_MS || s.offset !== next.offset) {
      return { kind: 'hole', mediaTime: next.mediaStart + FRAME_SEEK_EPSILON, segment: i + 1, hole: holeBetween(model, frames, i) };
    }
  }
  const list = frames.get(s.file)?.frames ?? [];
  const k = lastAtOrBefore(list, ms, (f) => f.captureMs ?? Number.NEGATIVE_INFINITY);
  if (k >= 0) {
    const f = list[k]!;
    const into = (ms - (f.captureMs ?? ms)) / 1000;
    const room = Math.max(FRAME_SEEK_EPSILON, f.mediaEnd - f.mediaStart - FRAME_SEEK_EPSILON);
    return { kind: 'recorded', mediaTime: f.mediaStart + Math.min(Math.max(into, FRAME_SEEK_EPSILON), room), segment: i, frame: f };
  }
  const end = segmentMediaEnd(s, frames);
  const t = s.mediaStart + (ms - s.startMs) / 1000;
  return { kind: 'recorded', mediaTime: Math.max(s.mediaStart + FRAME_SEEK_EPSILON, end > s.mediaStart ? Math.min(t, end - FRAME_SEEK_EPSILON) : t), segment: i, frame: list[0] ?? null };
}

/**
 * Whether a {@link wallClockTarget} for `ms` is final with the frames fetched so far, or must
 * be worked out again once its segment is read: final for a hole, the start of the recording,
 * and a moment in a segment read whole (`complete`) or whose fetched frames go past `ms`.
 * Not final in a segment not fetched yet (interpolated), nor after the newest fetched frame
 * of a segment read only in part: frames captured since the read may be nearer to `ms` (the
 * newest segment of a live recording grows between the index polls).
 */
export function isWallClockTargetFinal(model: RecordingModel, frames: FrameStore, target: WallClockTarget, ms: number): boolean {
  if (target.kind === 'empty' || target.kind === 'hole' || target.kind === 'before') return true;
  const segment = model.segments[target.segment];
  const known = segment ? frames.get(segment.file) : undefined;
  if (!known) return false;
  if (known.complete) return true;
  const newest = known.frames.at(-1)?.captureMs;
  return target.kind === 'recorded' && newest !== undefined && newest !== null && newest > ms;
}

/** The hole after segment `i` (before segment `i + 1`): the index's gap there, or `not-recorded`. */
export function holeBetween(model: RecordingModel, frames: FrameStore, i: number): Hole {
  const s = model.segments[i]!;
  const next = model.segments[i + 1];
  const fromMs = segmentWallEnd(s, frames);
  const toMs = next ? next.startMs : fromMs;
  const gap =
    model.gaps.find((g) => g.afterSequence >= s.sequence && (!next || g.afterSequence < next.sequence)) ??
    model.gaps.find((g) => g.toMs >= fromMs - CONTIGUOUS_TOLERANCE_MS && g.fromMs <= toMs + CONTIGUOUS_TOLERANCE_MS);
  return gap ? { fromMs: gap.fromMs, toMs: gap.toMs, reason: gap.reason, source: gap.source } : { fromMs, toMs, reason: 'not-recorded', source: null };
}

/** What playback should do at media time `t`. */
export type PositionCheck =
  /** `t` is inside a segment (or the newest one, which may grow): play on. */
  | { readonly kind: 'inside'; readonly segment: number }
  /** `t` is in a hole: jump to `to` (seconds), showing `hole`. */
  | { readonly kind: 'hole'; readonly to: number; readonly segment: number; readonly hole: Hole }
  /** `t` is at or past the end of the recording (ended streams). */
  | { readonly kind: 'end' }
  /** Before the first segment: go to `to`. */
  | { readonly kind: 'before'; readonly to: number }
  | { readonly kind: 'empty' };

/**
 * Hole skipping: whether media time `t` (seconds) lies in a recorded segment, in a hole
 * between segments (jump over it to the next segment's start), or past the end. A segment
 * counts up to its media end; the newest segment of a live recording counts as open-ended.
 * `slack` (seconds) tolerates the element's clock standing a little past the last frame.
 */
export function checkPosition(model: RecordingModel, frames: FrameStore, t: number, slack = 0.05): PositionCheck {
  const segs = model.segments;
  if (segs.length === 0) return { kind: 'empty' };
  const i = segmentIndexAtMedia(model, t);
  if (i < 0) return { kind: 'before', to: segs[0]!.mediaStart + FRAME_SEEK_EPSILON };
  const s = segs[i]!;
  const next = segs[i + 1];
  if (!next) {
    if (model.live) return { kind: 'inside', segment: i };
    return t < segmentMediaEnd(s, frames) - slack ? { kind: 'inside', segment: i } : { kind: 'end' };
  }
  const end = segmentMediaEnd(s, frames);
  if (t < end - slack || next.mediaStart - end <= slack) return { kind: 'inside', segment: i };
  return { kind: 'hole', to: next.mediaStart + FRAME_SEEK_EPSILON, segment: i + 1, hole: holeBetween(model, frames, i) };
}

/** Input of {@link isPlaybackStuck}. */
export interface StuckInput {
  /** `video.seeking`. */
  readonly seeking: boolean;
  /** Playing, `readyState` below HAVE_FUTURE_DATA. */
  readonly stalled: boolean;
  /** Media time of the position (or the frame on screen), seconds. */
  readonly t: number;
  readonly buffered: readonly MediaRange[];
  /** Time since the position or the frame on screen last changed (or playback was last paused or moved on purpose), ms. */
  readonly sinceProgressMs: number;
  /** Watchdog seeks since the last progress: each doubles the wait ({@link watchdogWaitMs}); absent: 0. */
  readonly stuckInRow?: number;
}

/** How long a review player may stand still with its media buffered before it is seeked again, ms. */
export const STUCK_MS = 2000;

/**
 * Watchdog of the review player: it stands still although what it needs is buffered. Either a
 * seek that does not complete, or a stalled element (Chromium may stay stalled after a seek
 * whose frames were appended after it, until the next seek; measured on the live player, see
 * player/live-edge.ts), with at least `minAhead` seconds of media buffered from `t` on, and no
 * progress for `stuckMs` (doubled per watchdog seek in a row, {@link watchdogWaitMs}). True:
 * seek to `t` again. Waiting for a fetch (nothing buffered ahead of `t`) is not stuck, nor is
 * a paused element.
 * @param stuckMs ms without progress before the first watchdog seek (default {@link STUCK_MS})
 * @param minAhead seconds of media buffered from `t` on (default 0.1)
 */
export function isPlaybackStuck(input: StuckInput, stuckMs = STUCK_MS, minAhead = 0.1): boolean {
  if (!(input.seeking || input.stalled) || input.sinceProgressMs < watchdogWaitMs(stuckMs, input.stuckInRow ?? 0)) return false;
  return input.buffered.some((r) => input.t >= r.start - 0.01 && r.end - input.t >= minAhead);
}

/** How far before the start of the last buffered frame a stalled clock may stand, seconds. */
export const STALL_SLACK = 0.25;

/** A buffered range, seconds of media time. */
export interface MediaRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Hole skipping when the element stalls: Chromium stops its clock inside the last
 * buffered frame before a hole (or the end), not at the hole, so {@link checkPosition}
 * alone never sees the hole. When playback stalls (`stalled`: playing, readyState below
 * HAVE_FUTURE_DATA) with the last frame of a buffered range on screen, and that range ends
 * at a hole or at the end of the recording, this says so; a range that ends where the next
 * segment starts (not fetched yet) is only waiting. Else as {@link checkPosition}.
 */
export function checkStall(
  model: RecordingModel,
  frames: FrameStore,
  t: number,
  buffered: readonly MediaRange[],
  stalled: boolean,
): PositionCheck {
  const here = checkPosition(model, frames, t);
  if (here.kind !== 'inside' || !stalled) return here;
  const range = buffered.find((r) => t >= r.start - 0.01 && t <= r.end + 0.01);
  if (!range) return here;
  const last = frameAt(model, frames, range.end - 0.002);
  const lastStart = last ? last.mediaStart : range.end - 1;
  if (t < lastStart - STALL_SLACK) return here; // frames still ahead in the buffer: a decode hiccup, not a hole
  const after = checkPosition(model, frames, range.end + 0.001);
  return after.kind === 'hole' || after.kind === 'end' ? after : here;
}

/**
 * The media time one frame after / before the frame presented at `t` (seconds), for
 * frame stepping: the neighbouring fetched frame in the same segment, else the first frame
 * of the next segment / the last fetched frame of the previous one (its start when not
 * fetched yet). Null at the ends of the recording.
 */
export function stepFrame(model: RecordingModel, frames: FrameStore, t: number, direction: 1 | -1): number | null {
  const i = segmentIndexAtMedia(model, t);
  const segs = model.segments;
  if (i < 0) return direction > 0 && segs[0] ? segs[0].mediaStart + FRAME_SEEK_EPSILON : null;
  const list = frames.get(segs[i]!.file)?.frames ?? [];
  const k = lastAtOrBefore(list, t + 1e-4, (f) => f.mediaStart);
  if (direction > 0) {
    if (k >= 0 && k + 1 < list.length) return list[k + 1]!.mediaStart + FRAME_SEEK_EPSILON;
    if (k < 0 && list.length > 0) return list[0]!.mediaStart + FRAME_SEEK_EPSILON;
    const next = segs[i + 1];
    return next ? next.mediaStart + FRAME_SEEK_EPSILON : null;
  }
  if (k > 0) return list[k - 1]!.mediaStart + FRAME_SEEK_EPSILON;
  const prev = segs[i - 1];
  if (!prev) return null;
  const prevFrames = frames.get(prev.file)?.frames ?? [];
  const lastFrame = prevFrames[prevFrames.length - 1];
  return (lastFrame ? lastFrame.mediaStart : prev.mediaStart) + FRAME_SEEK_EPSILON;
}

/** Index of the last item whose key is <= `key` in an array sorted by key, or -1. */
export function lastAtOrBefore<T>(items: readonly T[], key: number, keyOf: (item: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keyOf(items[mid]!) <= key) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
