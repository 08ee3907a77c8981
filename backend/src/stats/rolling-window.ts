/**
 * Small pure helpers for live statistics: a time-bucketed rolling window (count, sum, min,
 * max) and a fixed-bucket histogram. Both are updated in O(1) (the histogram in O(buckets))
 * without allocating: they sit on the per-fragment hot path of the relay. The clock is the
 * caller's (`nowMs` on every call), so tests drive time directly.
 */

/** Figures of a {@link RollingWindow} at one moment. */
export interface WindowSnapshot {
  /** Values added within the window. */
  count: number;
  sum: number;
  /** Smallest and largest value, or null when `count` is 0. */
  min: number | null;
  max: number | null;
  /** `sum / count`, or null when `count` is 0. */
  avg: number | null;
  /** The span the figures cover, ms: at most the window, less while the window is younger than it. */
  spanMs: number;
}

/**
 * Count, sum, min and max of the values added over the last `windowMs` (a ring of
 * `buckets` time buckets, each `windowMs / buckets` wide; the oldest bucket drops out as a
 * whole, so the figures cover between `windowMs - width` and `windowMs` of time).
 */
export class RollingWindow {
  readonly bucketMs: number;
  private readonly epoch: Float64Array;
  private readonly counts: Float64Array;
  private readonly sums: Float64Array;
  private readonly mins: Float64Array;
  private readonly maxs: Float64Array;
  /** When the first value was added (ms), or NaN: a young window covers less than `windowMs`. */
  private firstAtMs = NaN;

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
  ) {
    if (!(windowMs > 0) || !Number.isInteger(buckets) || buckets < 1) throw new RangeError('windowMs must be > 0 and buckets a whole number >= 1');
    this.bucketMs = windowMs / buckets;
    this.epoch = new Float64Array(buckets).fill(-1);
    this.counts = new Float64Array(buckets);
    this.sums = new Float64Array(buckets);
    this.mins = new Float64Array(buckets);
    this.maxs = new Float64Array(buckets);
  }

  /** Adds one value at `nowMs`. O(1), no allocation. Non-finite values are ignored. */
  add(nowMs: number, value: number): void {
    if (!Number.isFinite(value) || !Number.isFinite(nowMs)) return;
    const index = Math.floor(nowMs / this.bucketMs);
    const slot = index % this.buckets;
    if (this.epoch[slot] !== index) {
      // a bucket from an earlier turn of the ring (or a clock that stepped back): start it afresh
      this.epoch[slot] = index;
      this.counts[slot] = 0;
      this.sums[slot] = 0;
      this.mins[slot] = value;
      this.maxs[slot] = value;
    }
    this.counts[slot]++;
    this.sums[slot] += value;
    if (value < this.mins[slot]) this.mins[slot] = value;
    if (value > this.maxs[slot]) this.maxs[slot] = value;
    if (Number.isNaN(this.firstAtMs) || nowMs < this.firstAtMs) this.firstAtMs = nowMs;
  }

  /** The figures over the window ending at `nowMs`. O(buckets). */
  read(nowMs: number): WindowSnapshot {
    const index = Math.floor(nowMs / this.bucketMs);
    const oldest = index - this.buckets + 1;
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let slot = 0; slot < this.buckets; slot++) {
      const e = this.epoch[slot];
      if (e < oldest || e > index || this.counts[slot] === 0) continue;
      count += this.counts[slot];
      sum += this.sums[slot];
      if (this.mins[slot] < min) min = this.mins[slot];
      if (this.maxs[slot] > max) max = this.maxs[slot];
    }
    const windowStart = oldest * this.bucketMs;
    const since = Number.isNaN(this.firstAtMs) ? nowMs : Math.max(windowStart, this.firstAtMs);
    return {
      count,
      sum,
      min: count > 0 ? min : null,
      max: count > 0 ? max : null,
      avg: count > 0 ? sum / count : null,
      spanMs: Math.max(0, nowMs - since),
    };
  }

  /**
   * `sum` per second over the window (e.g. bytes/s); the span is at least `minSpanMs` so a
   * young window does not report a spike. 0 when nothing was added.
   */
  ratePerSecond(nowMs: number, minSpanMs = 1000): number {
    const s = this.read(nowMs);
    if (s.count === 0) return 0;
    return (s.sum * 1000) / Math.max(minSpanMs, s.spanMs);
  }

  /** Values added per second over the window (e.g. fragments/s); as {@link ratePerSecond}. */
  countPerSecond(nowMs: number, minSpanMs = 1000): number {
    const s = this.read(nowMs);
    if (s.count === 0) return 0;
    return (s.count * 1000) / Math.max(minSpanMs, s.spanMs);
  }
}

/** Merges snapshots of several windows into one (min of mins, max of maxes, weighted average). */
export function mergeSnapshots(snapshots: Iterable<WindowSnapshot>): WindowSnapshot {
  let count = 0;
  let sum = 0;
  let min: number | null = null;
  let max: number | null = null;
  let spanMs = 0;
  for (const s of snapshots) {
    spanMs = Math.max(spanMs, s.spanMs);
    if (s.count === 0) continue;
    count += s.count;
    sum += s.sum;
    if (s.min !== null && (min === null || s.min < min)) min = s.min;
    if (s.max !== null && (max === null || s.max > max)) max = s.max;
  }
  return { count, sum, min, max, avg: count > 0 ? sum / count : null, spanMs };
}

/** A histogram's state as Prometheus exposes it: cumulative counts per upper bound. */
export interface HistogramSnapshot {
  /** Upper bounds (`le`), ascending; `+Inf` is implied by `count`. */
  bounds: readonly number[];
  /** Observations at or below each bound (cumulative), same length as `bounds`. */
  cumulative: number[];
  sum: number;
  count: number;
}

/**
 * A fixed-bucket histogram (Prometheus semantics: `le` upper bounds, cumulative on read).
 * `observe` is O(buckets) without allocation; read with {@link snapshot}.
 */
export class FixedHistogram {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) throw new RangeError('histogram bounds must ascend');
    }
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
    // above the last bound: only in +Inf (count)
  }

  snapshot(): HistogramSnapshot {
    const cumulative: number[] = [];
    let running = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      running += this.counts[i];
      cumulative.push(running);
    }
    return { bounds: this.bounds, cumulative, sum: this.sum, count: this.count };
  }
}
