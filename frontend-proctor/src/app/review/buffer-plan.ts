/**
 * Which segment files to fetch and append around the playhead, and which buffered media
 * to evict (pure). The review player runs {@link planBuffer} after every append, seek,
 * rate change and index poll, and fetches the first file it names.
 *
 * A window around the playhead (media time, seconds):
 * - it starts at the join segment at or before the playhead (a segment that starts with an
 *   IDR picture: decoding can only start there) and keeps `behind` seconds before the
 *   playhead, extended back to the join segment at or before that point;
 * - it runs `ahead` seconds of recorded media past the playhead, times the playback rate
 *   (at 16× the element eats 16 s of media per second), at least through the next segment;
 * - media outside it is removed from the SourceBuffer in whole segments (removing from a
 *   segment start keeps every remaining frame decodable: MSE "coded frame removal" drops
 *   the frames that depend on removed ones up to the next random access point).
 *
 * Segments are appended in order from the window's start; the newest segment of a live
 * recording grows, so it is fetched again (from the byte it was read to) while it is the
 * newest and in the window.
 */
import type { BufferedRange } from '../player/live-edge';
import { segmentIndexAtMedia, segmentMediaEnd, type FrameStore, type PlacedSegment, type RecordingModel } from './recording-model';

/** Window sizes, seconds of media time. */
export interface BufferWindow {
  /** Recorded media kept appended ahead of the playhead at 1× (scaled by the rate). Default 30. */
  readonly ahead: number;
  /** Most recorded media fetched ahead at any rate. Default 240. */
  readonly maxAhead: number;
  /** Media kept behind the playhead (for stepping and seeking back). Default 30. */
  readonly behind: number;
}

/** Defaults of {@link BufferWindow}. */
export const DEFAULT_BUFFER_WINDOW: BufferWindow = { ahead: 30, maxAhead: 240, behind: 30 };

/** Input of {@link planBuffer}. */
export interface BufferPlanInput {
  readonly model: RecordingModel;
  readonly frames: FrameStore;
  /** The playhead, seconds of media time. */
  readonly playhead: number;
  /** `video.playbackRate` (1, 2, 4, 8, 16). */
  readonly rate: number;
  /** Files whose fetched bytes are all appended (or queued to be). */
  readonly appended: ReadonlySet<string>;
  /**
   * Files that may have grown since they were read: the newest segment of a live recording,
   * and a file read while it was the newest. They are fetched again from their byte count.
   */
  readonly growing: ReadonlySet<string>;
  /** The SourceBuffer's buffered ranges, seconds. */
  readonly buffered: readonly BufferedRange[];
  readonly window?: BufferWindow;
}

/** Output of {@link planBuffer}. */
export interface BufferPlan {
  /** Segments to fetch and append, in append order (the first one next). */
  readonly fetch: readonly PlacedSegment[];
  /** Media to remove from the SourceBuffer, seconds. */
  readonly evict: readonly BufferedRange[];
  /** Appended files that the eviction removes (no longer appended afterwards). */
  readonly evictFiles: readonly string[];
  /** The window kept, seconds of media time (`end` is Infinity when it reaches the newest segment). */
  readonly keep: BufferedRange;
}

const EMPTY_PLAN: BufferPlan = { fetch: [], evict: [], evictFiles: [], keep: { start: 0, end: 0 } };

/** See the file comment. */
export function planBuffer(input: BufferPlanInput): BufferPlan {
  const { model, frames } = input;
  const segs = model.segments;
  if (segs.length === 0) return EMPTY_PLAN;
  const win = input.window ?? DEFAULT_BUFFER_WINDOW;
  let at = segmentIndexAtMedia(model, input.playhead);
  if (at < 0) at = 0;
  // a playhead in a hole after segment `at` is about to jump to the next one
  const cur = segs[at]!;
  if (at + 1 < segs.length && input.playhead >= segmentMediaEnd(cur, frames)) at++;

  const first = joinAtOrBefore(segs, at);
  const behindIndex = joinAtOrBefore(segs, Math.max(0, indexAt(model, input.playhead - win.behind)));
  const keepFrom = Math.min(first, behindIndex);

  const aheadBudget = Math.min(win.maxAhead, win.ahead * Math.max(1, input.rate));
  let last = at;
  let recorded = segmentMediaEnd(segs[at]!, frames) - Math.max(input.playhead, segs[at]!.mediaStart);
  while (last + 1 < segs.length && (last < at + 1 || recorded < aheadBudget)) {
    last++;
    const s = segs[last]!;
    recorded += segmentMediaEnd(s, frames) - s.mediaStart;
  }

  const fetch: PlacedSegment[] = [];
  for (let i = first; i <= last; i++) {
    const s = segs[i]!;
    if (!input.appended.has(s.file) || input.growing.has(s.file)) fetch.push(s);
  }

  const keepStart = segs[keepFrom]!.mediaStart;
  const keepEnd = last + 1 < segs.length ? segs[last + 1]!.mediaStart : Number.POSITIVE_INFINITY;
  const evict: BufferedRange[] = [];
  for (const r of input.buffered) {
    if (r.start < keepStart - 1e-3) evict.push({ start: r.start, end: Math.min(r.end, keepStart) });
    if (r.end > keepEnd + 1e-3) evict.push({ start: Math.max(r.start, keepEnd), end: r.end });
  }
  const evictFiles = segs
    .filter((s, i) => (i < keepFrom || i > last) && input.appended.has(s.file))
    .map((s) => s.file);
  return { fetch, evict: mergeRanges(evict), evictFiles, keep: { start: keepStart, end: keepEnd } };
}

/** Index of the segment at media time `t`, 0 before the first. */
function indexAt(model: RecordingModel, t: number): number {
  return Math.max(0, segmentIndexAtMedia(model, t));
}

/**
 * The segment decoding must start from to show segment `i`: `i` itself when it starts with
 * a join fragment, else the nearest earlier join segment with the same init segment.
 */
export function joinAtOrBefore(segs: readonly PlacedSegment[], i: number): number {
  let j = i;
  while (j > 0 && !segs[j]!.join && segs[j - 1]!.init === segs[j]!.init) j--;
  return j;
}

function mergeRanges(ranges: readonly BufferedRange[]): BufferedRange[] {
  const sorted = ranges.filter((r) => r.end - r.start > 1e-3).sort((a, b) => a.start - b.start);
  const out: BufferedRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.start <= prev.end + 1e-3) out[out.length - 1] = { start: prev.start, end: Math.max(prev.end, r.end) };
    else out.push({ ...r });
  }
  return out;
}

/**
 * Appended files whose media is no longer buffered (the browser evicted it, or an append
 * was dropped): their first frame's time is outside every buffered range. Ask only while
 * nothing is queued for the SourceBuffer; the player forgets them so the plan fetches
 * them again.
 */
export function staleAppended(
  model: RecordingModel,
  frames: FrameStore,
  appended: ReadonlySet<string>,
  buffered: readonly BufferedRange[],
): string[] {
  const stale: string[] = [];
  for (const s of model.segments) {
    if (!appended.has(s.file)) continue;
    const first = frames.get(s.file)?.frames[0];
    if (!first) continue; // nothing of it appended yet (empty read of a growing file)
    const probe = first.mediaStart + Math.min(0.01, (first.mediaEnd - first.mediaStart) / 2);
    if (!buffered.some((r) => probe >= r.start - 1e-3 && probe < r.end + 1e-3)) stale.push(s.file);
  }
  return stale;
}
