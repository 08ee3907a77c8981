/**
 * The live view's latency figures, each named for what it measures (pure; clocks passed in).
 *
 * One frame's way, with the clock each timestamp is read on:
 *
 *   capture (`prft`, the Sentinel's wall clock)
 *     → arrival at the portal (the bytes came off the proctor WebSocket; the portal's wall clock)
 *       → on screen (`requestVideoFrameCallback` `expectedDisplayTime`; the portal's clock)
 *
 * - **capture → screen** = on screen − capture: glass-to-glass as far as the stream can tell
 *   (capture, encode, upload, server, relay, network, the player's buffer, decode, display).
 *   Both ends are wall clocks of different machines, so it includes their offset (NTP keeps
 *   it to a few ms). It starts at the Sentinel's capture time in `prft`; whatever happens on
 *   the student's computer before that (screen paint → captured frame) is not in it.
 * - **capture → portal** = arrival − capture: everything up to the portal's socket (the two
 *   clocks' offset included).
 * - **portal → screen** = on screen − arrival: the portal's own share (MSE buffer behind the
 *   live edge, decode, display); one clock, no offset.
 * - **picture age** = now − capture time of the frame on screen: how old the picture the
 *   proctor is looking at is right now. Unlike the three above it also counts how long the
 *   frame has been on screen, so it grows until the next frame (up to 5 s at 0.2 fps).
 *
 * The portal's clock is read as `performance.timeOrigin + performance.now()` (monotonic
 * within the page, so "portal → screen" never jumps with a wall-clock adjustment).
 */

/** What the player knows of one frame when it reaches the screen. */
export interface FrameTimes {
  /** `prft` capture time, Unix epoch ms (Sentinel clock), or null without `prft`. */
  readonly captureMs: number | null;
  /** When its bytes came off the WebSocket, Unix epoch ms (portal clock), or null if unknown. */
  readonly arrivalMs: number | null;
  /** When it reached the screen, Unix epoch ms (portal clock). */
  readonly shownMs: number;
}

/** The figures of one presented frame, ms; null where a timestamp is missing. */
export interface FrameLatency {
  readonly captureToScreenMs: number | null;
  readonly captureToPortalMs: number | null;
  readonly portalToScreenMs: number | null;
}

/** The three figures of a frame that reached the screen (see the file comment). */
export function frameLatency(t: FrameTimes): FrameLatency {
  return {
    captureToScreenMs: t.captureMs === null ? null : t.shownMs - t.captureMs,
    captureToPortalMs: t.captureMs === null || t.arrivalMs === null ? null : t.arrivalMs - t.captureMs,
    portalToScreenMs: t.arrivalMs === null ? null : Math.max(0, t.shownMs - t.arrivalMs),
  };
}

/** Age of the picture on screen at `nowMs`: now − its capture time, ms (null without one). */
export function pictureAgeMs(captureMs: number | null | undefined, nowMs: number): number | null {
  return captureMs == null ? null : nowMs - captureMs;
}

/** A figure over the recent frames: median and maximum, and how many frames they cover. */
export interface RecentFigures {
  readonly count: number;
  readonly medianMs: number | null;
  readonly maxMs: number | null;
}

/**
 * The last `capacity` values of a figure in a ring (fixed memory, no allocation per frame);
 * {@link summary} sorts a copy, so call it at the UI's pace, not per frame.
 */
export class RecentValues {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  /** @param capacity values kept (default 20: 4 s at 5 fps, 20 s at 1 fps) */
  constructor(readonly capacity = 20) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.values = new Float64Array(capacity);
  }

  /** Values kept now. */
  get size(): number {
    return this.filled;
  }

  /** Adds a value; null and non-finite values are ignored. */
  add(value: number | null): void {
    if (value === null || !Number.isFinite(value)) return;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Median (the mean of the middle two for an even count) and maximum of the kept values. */
  summary(): RecentFigures {
    if (this.filled === 0) return { count: 0, medianMs: null, maxMs: null };
    const sorted = Array.from(this.values.subarray(0, this.filled)).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return { count: sorted.length, medianMs: median, maxMs: sorted[sorted.length - 1]! };
  }

  /** Forgets every value. */
  clear(): void {
    this.next = 0;
    this.filled = 0;
  }
}

/**
 * How far the picture on screen is behind the newest frame the portal holds, in capture time:
 * newest frame's capture time − capture time of the frame on screen, ms (0 when it is the
 * newest; null when either has no `prft`). The player's buffer ahead of the playhead, in the
 * student's time rather than media time.
 */
export function behindLiveEdgeMs(shownCaptureMs: number | null | undefined, newestCaptureMs: number | null | undefined): number | null {
  if (shownCaptureMs == null || newestCaptureMs == null) return null;
  return Math.max(0, newestCaptureMs - shownCaptureMs);
}
