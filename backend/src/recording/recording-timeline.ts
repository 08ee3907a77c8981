import type { TimelineGap, TimelineInit, TimelineRange, TimelineSegment } from '@vigil/api';
import type { IndexEntry } from './recording-layout';
import { TICKS_PER_SECOND } from '../relay/media-unit';

type SegmentEntry = Extract<IndexEntry, { type: 'segment' }>;

/**
 * A recording's index as a searchable timeline (pure). Built once from `index.jsonl` and
 * extended as lines are appended ({@link append}); queries are binary searches over the
 * segments' start times, O(log n + k) for k results, so a 3-hour recording (thousands of
 * segments) answers a 5-minute range without a scan.
 */
export class RecordingTimeline {
  private readonly segments: TimelineSegment[] = [];
  private readonly inits = new Map<string, TimelineInit>();
  private readonly gaps: TimelineGap[] = [];

  constructor(entries: readonly IndexEntry[] = []) {
    this.append(entries);
  }

  /** Number of segments. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Adds entries appended to the index, in order. A segment's start times are expected to be
   * non-decreasing (capture clock); a segment that starts earlier than the previous one (a
   * Sentinel clock step back) keeps its place and the search treats it as starting with it.
   */
  append(entries: readonly IndexEntry[]): void {
    for (const entry of entries) {
      if (entry.type === 'init') {
        this.inits.set(entry.file, { file: entry.file, sequence: entry.sequence, width: entry.width, height: entry.height, codec: entry.codec, atMs: entry.atMs });
      } else if (entry.type === 'gap') {
        this.gaps.push({ fromMs: entry.fromMs, toMs: entry.toMs, reason: entry.reason, source: entry.source, afterSequence: entry.sequence });
        this.closeLast(entry.fromMs);
      } else {
        this.addSegment(entry);
      }
    }
  }

  /**
   * Segments, init segments and gaps overlapping `[fromMs, toMs]` (ms since the Unix epoch).
   * @throws RangeError when `toMs < fromMs`
   */
  range(fromMs: number, toMs: number): TimelineRange {
    if (!(toMs >= fromMs)) throw new RangeError(`to (${toMs}) must not be before from (${fromMs})`);
    // first segment whose end is after fromMs: the one before the first start > fromMs
    let lo = upperBound(this.segments, fromMs) - 1;
    if (lo < 0) lo = 0;
    else if (endOf(this.segments[lo]) < fromMs) lo++;
    const hi = upperBound(this.segments, toMs); // exclusive: starts after toMs
    const segments = this.segments.slice(lo, Math.max(lo, hi));
    const used = new Set(segments.map((s) => s.init));
    const inits = [...this.inits.values()].filter((i) => used.has(i.file) || (i.atMs >= fromMs && i.atMs <= toMs));
    const gaps = this.gaps.filter((g) => g.toMs >= fromMs && g.fromMs <= toMs);
    return { fromMs, toMs, segments, inits, gaps };
  }

  /** The newest segment (its `endMs` is null: the recording may still grow), or null when empty. */
  get newest(): TimelineSegment | null {
    return this.segments[this.segments.length - 1] ?? null;
  }

  /** First and last moment recorded, ms since the Unix epoch, or null when empty. */
  extent(): { fromMs: number; toMs: number | null } | null {
    if (this.segments.length === 0) return null;
    const last = this.segments[this.segments.length - 1];
    return { fromMs: this.segments[0].startMs, toMs: last.endMs };
  }

  private addSegment(entry: SegmentEntry): void {
    const previous = this.segments[this.segments.length - 1];
    if (previous && previous.endMs === null) {
      // with the same init segment the media time says how long the previous one lasted;
      // after an init change (new page, new resolution) it ends where this one starts at most
      const byMedia =
        previous.init === entry.init ? previous.startMs + ((entry.decodeTime - previous.decodeTime) * 1000) / TICKS_PER_SECOND : entry.startMs;
      previous.endMs = Math.max(previous.startMs, Math.min(byMedia, entry.startMs));
    }
    this.segments.push({ file: entry.file, sequence: entry.sequence, init: entry.init, join: entry.join, decodeTime: entry.decodeTime, startMs: entry.startMs, endMs: null });
  }

  /** The newest segment ends at `atMs`: a gap starts there. */
  private closeLast(atMs: number): void {
    const last = this.segments[this.segments.length - 1];
    if (last && last.endMs === null) last.endMs = Math.max(last.startMs, atMs);
  }
}

/** Index of the first segment starting after `ms` (segments sorted by start). */
function upperBound(segments: readonly TimelineSegment[], ms: number): number {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].startMs <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function endOf(s: TimelineSegment): number {
  return s.endMs ?? Number.POSITIVE_INFINITY;
}
