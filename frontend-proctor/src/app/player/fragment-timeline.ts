/**
 * FragmentTimeline: what the player knows about each appended fragment, by
 * media time, so the frame on screen can be mapped back to its capture time.
 *
 * Media time (seconds) = `tfdt` baseMediaDecodeTime / timescale (90 kHz ticks
 * in Vigil). Vigil's H.264 has no B frames, so presentation time = decode time.
 */
import type { FragmentInfo } from '@vigil/fmp4';

/** One appended fragment. */
export interface TimelineEntry {
  /** Wire sequence number. */
  readonly sequence: number;
  /** Decode (= presentation) time of the first sample, seconds. */
  readonly start: number;
  /** `start` + sum of sample durations, seconds. */
  readonly end: number;
  /** Capture wall clock from `prft`, Unix epoch milliseconds, or null without `prft`. */
  readonly captureTimeMs: number | null;
  /** Starts with an IDR frame. */
  readonly join: boolean;
  /** When its bytes came off the proctor WebSocket, Unix epoch ms (the portal's clock), or null. */
  readonly arrivalMs: number | null;
  /** Replayed from the server's buffer at the join, not sent live. */
  readonly replay: boolean;
}

/** Ordered entries of the appended fragments; bounded by {@link FragmentTimeline.maxEntries}. */
export class FragmentTimeline {
  private entries: TimelineEntry[] = [];

  /** @param maxEntries upper bound on remembered fragments (memory bound; 30 s at 5 fps is 150). */
  constructor(private readonly maxEntries = 5000) {}

  /** Number of remembered fragments. */
  get size(): number {
    return this.entries.length;
  }

  /** The newest fragment, or null. */
  get newest(): TimelineEntry | null {
    return this.entries[this.entries.length - 1] ?? null;
  }

  /**
   * Records a fragment. `timescale` is the init segment's (ticks per second, 90000).
   * A fragment that starts at or before the newest one (a replay after a
   * resubscribe) replaces everything from its start on, as the SourceBuffer does
   * (the MSE "coded frame processing" algorithm overwrites overlapping frames).
   * `arrivalMs`: when the fragment came off the socket (portal clock, Unix epoch ms), if known;
   * `replay`: it was replayed from the server's buffer at the join.
   */
  add(
    info: Pick<FragmentInfo, 'baseMediaDecodeTime' | 'duration' | 'captureTimeMs'>,
    sequence: number,
    join: boolean,
    timescale: number,
    arrivalMs: number | null = null,
    replay = false,
  ): TimelineEntry {
    const entry: TimelineEntry = {
      sequence,
      start: info.baseMediaDecodeTime / timescale,
      end: (info.baseMediaDecodeTime + info.duration) / timescale,
      captureTimeMs: info.captureTimeMs,
      join,
      arrivalMs,
      replay,
    };
    const newest = this.newest;
    if (newest && entry.start <= newest.start) {
      const keep = this.indexAtOrBefore(entry.start - 1e-6);
      this.entries.length = keep + 1;
    }
    this.entries.push(entry);
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries);
    return entry;
  }

  /**
   * The fragment on screen at `mediaTime` (seconds): the last one starting at or
   * before it. A position at or past the newest fragment's end still shows the
   * newest frame (the element waits there). Null before the first fragment.
   */
  at(mediaTime: number): TimelineEntry | null {
    const i = this.indexAtOrBefore(mediaTime + 1e-4);
    return i >= 0 ? this.entries[i]! : null;
  }

  /**
   * The first fragment that starts after `mediaTime` (seconds; -Infinity: the oldest one held),
   * i.e. the next frame after the one on screen at `mediaTime`, or null when none is held.
   */
  firstAfter(mediaTime: number): TimelineEntry | null {
    return this.entries[this.indexAtOrBefore(mediaTime + 1e-4) + 1] ?? null;
  }

  /** Start times of join fragments, ascending, seconds (for {@link planTrim}). */
  joinTimes(): number[] {
    return this.entries.filter((e) => e.join).map((e) => e.start);
  }

  /** Forgets fragments that end at or before `mediaTime` (after the SourceBuffer removed them). */
  pruneBefore(mediaTime: number): void {
    let n = 0;
    while (n < this.entries.length && this.entries[n]!.end <= mediaTime + 1e-6) n++;
    if (n > 0) this.entries.splice(0, n);
  }

  /** Forgets everything (new MediaSource). */
  clear(): void {
    this.entries = [];
  }

  /**
   * Frame rate from the newest fragments' durations, frames per second:
   * frames / time over the last `window` fragments (default 5), or null.
   */
  fps(window = 5): number | null {
    const recent = this.entries.slice(-window);
    const total = recent.reduce((sum, e) => sum + (e.end - e.start), 0);
    return recent.length > 0 && total > 0 ? recent.length / total : null;
  }

  /** Index of the last entry with start <= t, or -1 (binary search). */
  private indexAtOrBefore(t: number): number {
    let lo = 0;
    let hi = this.entries.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.start <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
