/**
 * Pacing of synthetic Sentinels (pure; the clock is passed in): when each frame is due,
 * how Sentinels spread their frames over a frame interval, media time, reconnect back-off.
 * Times are milliseconds (Unix epoch or any monotonic origin, as long as one is used throughout).
 */

/** 90 kHz: the media timescale of Vigil's fMP4 (`VIDEO_TIMESCALE` of @vigil/fmp4). */
export const MEDIA_TICKS_PER_SECOND = 90_000;

/** Milliseconds between frames at `fps` frames per second. @throws RangeError when fps <= 0 */
export function frameIntervalMs(fps: number): number {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`fps must be a number > 0, got ${fps}`);
  return 1000 / fps;
}

/** Duration of one frame in 90 kHz media ticks at `fps` (rounded, as the Sentinel's frame clock). */
export function frameTicks(fps: number): number {
  return Math.round(MEDIA_TICKS_PER_SECOND / fps);
}

/** 1 / golden ratio: successive multiples mod 1 spread any prefix evenly over [0, 1). */
const GOLDEN_FRACTION = (Math.sqrt(5) - 1) / 2;

/**
 * Where in the frame interval Sentinel `index` (0-based) puts its frames, ms in
 * [0, intervalMs). Real Sentinels start at random moments, so their frames do not arrive
 * in one burst per interval; this spreads them evenly for any number of Sentinels started
 * so far (a ramp adds more later) by the golden-ratio sequence.
 */
export function phaseOffsetMs(index: number, intervalMs: number): number {
  const f = (index * GOLDEN_FRACTION) % 1;
  return f * intervalMs;
}

/**
 * How many frames Sentinel `index` (0-based) sends in its first GOP, in [1, gopFrames]: its
 * second IDR then comes early and every later one a whole GOP after it. Real Sentinels start
 * at random moments, so their IDRs (the largest frames, about 10× a P frame of a screen) fall
 * evenly over the GOP; Sentinels a load generator starts in the same second would otherwise
 * send their IDRs in the same second, GOP after GOP. Spread by the golden-ratio sequence (even
 * for any prefix, like {@link phaseOffsetMs}), offset so the first Sentinel's phase differs
 * from its frame phase.
 * @param gopFrames frames from one IDR to the next in the replayed set (>= 1)
 * @throws RangeError when `gopFrames` is not a whole number >= 1
 */
export function firstGopFrames(index: number, gopFrames: number): number {
  if (!Number.isInteger(gopFrames) || gopFrames < 1) throw new RangeError(`gopFrames must be a whole number >= 1, got ${gopFrames}`);
  const f = ((index + 0.5) * GOLDEN_FRACTION) % 1;
  return 1 + Math.floor(f * gopFrames);
}

/** What {@link FrameClock.poll} answers. */
export type FramePoll =
  | { due: false; waitMs: number }
  | {
      due: true;
      /** Frames whose time passed while the caller was late (not produced: a busy frame clock drops them). */
      missed: number;
      /** ms until the next frame after this one. */
      waitMs: number;
    };

/**
 * Frame k is due at `startMs + k * intervalMs`. A caller that wakes up late produces one
 * frame and drops the ones it missed (like the Sentinel's frame clock on a busy machine),
 * so a slow load generator sends fewer frames rather than bursts; `missed` tells how many.
 */
export class FrameClock {
  private nextIndex = 0;

  /**
   * @param startMs when frame 0 is due, ms
   * @param intervalMs ms between frames (> 0)
   */
  constructor(
    private startMs: number,
    private intervalMs: number,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  }

  /** When the next frame is due, ms. */
  get nextDueMs(): number {
    return this.startMs + this.nextIndex * this.intervalMs;
  }

  /** Whether a frame is due at `nowMs`; when it is, the clock advances past it (and past missed ones). */
  poll(nowMs: number): FramePoll {
    const due = this.nextDueMs;
    if (nowMs < due) return { due: false, waitMs: due - nowMs };
    const missed = Math.floor((nowMs - due) / this.intervalMs);
    this.nextIndex += missed + 1;
    return { due: true, missed, waitMs: Math.max(0, this.nextDueMs - nowMs) };
  }

  /** Changes the frame interval (`set-fps`): the next frame is due one new interval after `nowMs`. */
  retime(intervalMs: number, nowMs: number): void {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
    this.intervalMs = intervalMs;
    this.startMs = nowMs + intervalMs;
    this.nextIndex = 0;
  }
}

/**
 * Reconnect delay after `attempt` failed or lost connections in a row (1 = first), ms:
 * 0.5 s doubling to 10 s (the protocol's advice), times a jitter factor in [0.5, 1.0)
 * from `random` (a number in [0, 1)).
 */
export function backoffMs(attempt: number, random: number): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
  return base * (0.5 + 0.5 * random);
}
