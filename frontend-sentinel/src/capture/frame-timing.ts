/**
 * When a captured frame was captured, and when the Sentinel samples one (issue 10,
 * glass-to-glass latency). Pure: clocks are passed in.
 *
 * **What the browser gives.** Measured in Chromium 156 (entire screen with `getDisplayMedia`
 * under Xvfb, read with `MediaStreamTrackProcessor`, W3C mediacapture-transform):
 * `VideoFrame.timestamp` (W3C WebCodecs, microseconds) is the frame's capture time on the
 * monotonic clock behind `performance.now()` (Chromium's `base::TimeTicks`): a `<video>`
 * playing the same track reports, for the same frame, `requestVideoFrameCallback` `captureTime`
 * (WICG video-rvfc) = `timestamp / 1000` − a constant (where the page's `timeOrigin` lies on that
 * clock); `VideoFrame.metadata()` is empty. The page cannot read that constant, so
 * {@link CaptureClock} estimates it from when frames reach the page's read loop: the delivery
 * delay is 0.3–1 ms (p50) and up to ~50 ms while the page is busy, so the estimate is within
 * the shortest delay seen. The spec leaves the timestamp's origin to the user agent; whatever
 * it is, the estimate holds as long as timestamps advance in real time, and falls back to the
 * arrival time otherwise.
 *
 * **What the frame clock samples.** Screen capture delivers a frame only when the screen
 * changes, at most `maxCaptureFps` (10) a second; the frame clock samples the latest one. A
 * frame sampled as soon as it arrives is up to a capture interval (100 ms) fresher than the
 * latest frame at a tick, so {@link freshFrameWaitMs} says how long a tick should wait for the
 * next frame while frames are streaming (the screen keeps changing), and
 * {@link sampleCaptureTimeMs} gives the sample's capture time (`prft`, ISO/IEC 14496-12
 * §8.16.5).
 */

/**
 * Estimates the capture time of frames from their `VideoFrame.timestamp`; see the module comment.
 *
 * A frame that seems to have taken longer than `maxDelayMs` to arrive is believed when its
 * timestamp did not go back: a page busy for a second or two delivers it late, and its capture
 * time is still `timestamp` − the estimate (stamping its arrival instead would date a picture of
 * the screen later than it was taken). The estimate starts over when a timestamp goes back, or
 * when {@link CaptureClock.LATE_RUN} frames in a row all seem that late (their origin moved).
 */
export class CaptureClock {
  /** Frames in a row that seem later than `maxDelayMs` before the estimate starts over. */
  static readonly LATE_RUN = 3;
  private offsetMs: number | null = null;
  private lastTimestampUs: number | null = null;
  private lateRun = 0;

  /**
   * @param maxDelayMs longest delivery delay, ms (default 1000), taken as normal; frames that
   *   seem later than this {@link CaptureClock.LATE_RUN} times in a row restart the estimate
   */
  constructor(private readonly maxDelayMs = 1000) {}

  /**
   * The capture time of a frame on the arrival clock, ms: `timestamp / 1000` − the estimated
   * offset between the two clocks, never after `arrivalMs` and, with an estimate from a
   * faster delivery, never before the true capture time. Returns `arrivalMs` for a timestamp
   * that is not a finite number.
   * @param timestampUs `VideoFrame.timestamp`, microseconds
   * @param arrivalMs when the frame reached the page, ms on the page clock (`performance.now()`)
   */
  captureTimeMs(timestampUs: number, arrivalMs: number): number {
    if (!Number.isFinite(timestampUs) || !Number.isFinite(arrivalMs)) return arrivalMs;
    const candidate = timestampUs / 1000 - arrivalMs; // = offset − this frame's delivery delay
    const wentBack = this.lastTimestampUs !== null && timestampUs < this.lastTimestampUs;
    this.lastTimestampUs = timestampUs;
    if (this.offsetMs === null || candidate > this.offsetMs || wentBack) {
      this.offsetMs = candidate;
      this.lateRun = 0;
    } else if (this.offsetMs - candidate > this.maxDelayMs) {
      if (++this.lateRun >= CaptureClock.LATE_RUN) {
        this.offsetMs = candidate;
        this.lateRun = 0;
      }
    } else {
      this.lateRun = 0;
    }
    return timestampUs / 1000 - this.offsetMs;
  }

  /** Forgets the estimate (a new capture track: its timestamps may have another origin). */
  reset(): void {
    this.offsetMs = null;
    this.lastTimestampUs = null;
    this.lateRun = 0;
  }
}

/**
 * The typical interval between captured frames: the median of the last few intervals between
 * arrivals, ms (a screen that keeps changing: about 1000 / maxCaptureFps).
 */
export class ArrivalIntervals {
  private readonly intervals: number[] = [];
  private lastMs: number | null = null;

  /** @param window intervals kept (default 5, at least 1) */
  constructor(private readonly window = 5) {}

  /** Records a frame that arrived at `atMs` (page clock, ms, non-decreasing). */
  add(atMs: number): void {
    if (!Number.isFinite(atMs)) return;
    if (this.lastMs !== null && atMs >= this.lastMs) {
      this.intervals.push(atMs - this.lastMs);
      if (this.intervals.length > this.window) this.intervals.shift();
    }
    this.lastMs = atMs;
  }

  /** Median of the recorded intervals, ms; null before two frames. */
  get medianMs(): number | null {
    if (this.intervals.length === 0) return null;
    const sorted = [...this.intervals].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  }

  /** Forgets everything (capture restarted). */
  reset(): void {
    this.intervals.length = 0;
    this.lastMs = null;
  }
}

/** Input of {@link freshFrameWaitMs}; times in ms on one clock (the page's). */
export interface FreshFrameInput {
  /** Now. */
  readonly nowMs: number;
  /** When the latest captured frame arrived; null without one. */
  readonly latestArrivalMs: number | null;
  /** Typical interval between captured frames ({@link ArrivalIntervals}); null when unknown. */
  readonly intervalMs: number | null;
  /** Longest wait (shorter than the tick interval, so a tick never waits into the next). */
  readonly maxWaitMs: number;
}

/**
 * How long a tick should wait for the next captured frame before it samples, ms (0: sample the
 * latest frame now).
 *
 * Waits only while frames stream: the typical interval is at most `maxWaitMs` and the next
 * frame is due (the latest arrival + the interval, + a quarter of it or 25 ms of slack) within
 * `maxWaitMs`. Not when the latest frame is already fresh (younger than a quarter of the
 * interval, at most 20 ms), when the screen stands still (no frame due: it is not overdue
 * longer than the slack), or without a frame.
 */
export function freshFrameWaitMs(input: FreshFrameInput): number {
  const { nowMs, latestArrivalMs, intervalMs, maxWaitMs } = input;
  if (latestArrivalMs === null || intervalMs === null || !(maxWaitMs > 0)) return 0;
  if (!(intervalMs > 0) || intervalMs > maxWaitMs) return 0;
  const age = nowMs - latestArrivalMs;
  if (age <= Math.min(20, intervalMs / 4)) return 0;
  const wait = latestArrivalMs + intervalMs + Math.min(25, intervalMs / 4) - nowMs;
  return wait > 0 ? Math.min(wait, maxWaitMs) : 0;
}

/** Input of {@link sampleCaptureTimeMs}; times in ms on one clock (the page's). */
export interface SampleTimeInput {
  /** The frame-clock tick the sample belongs to. */
  readonly tickMs: number;
  /** When the sample is taken (the frame goes to the encoder). */
  readonly nowMs: number;
  /** Capture time of the frame sampled ({@link CaptureClock}); null when unknown. */
  readonly frameCaptureMs: number | null;
  /** The same frame was sampled before (a static screen: capture delivered nothing newer). */
  readonly repeated: boolean;
  /** Capture time given to the previous sample of this timeline; null for the first. */
  readonly previousMs: number | null;
}

/**
 * The capture time of a sample, ms: when its frame was captured, or the tick when that is
 * unknown or the frame is a repeat (the screen did not change: the picture is the screen as of
 * the tick); never after `nowMs`. Always later than `previousMs` (capture times of a stream
 * increase): else the tick, or 1 µs after `previousMs`.
 */
export function sampleCaptureTimeMs(input: SampleTimeInput): number {
  const { tickMs, nowMs, frameCaptureMs, repeated, previousMs } = input;
  let t = repeated || frameCaptureMs === null || !Number.isFinite(frameCaptureMs) ? tickMs : frameCaptureMs;
  t = Math.min(t, nowMs);
  if (previousMs !== null && !(t > previousMs)) t = Math.max(previousMs + 0.001, Math.min(tickMs, nowMs));
  return t;
}
