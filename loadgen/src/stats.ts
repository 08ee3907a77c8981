/**
 * Latency statistics (pure): a log-linear histogram with bounded relative error, so a
 * capacity run of millions of samples keeps constant memory, and the percentile
 * summaries the progress line, the stop conditions and the final report print.
 *
 * Units: every value going in and coming out is in milliseconds (fractions allowed);
 * inside, values are kept as whole microseconds.
 */

/** Sub-buckets per power of two: the relative error of a bucket is at most 1 / (2 * SUB_BUCKETS). */
const SUB_BUCKETS = 128;
/** Values below this many microseconds have one bucket each (exact). */
const EXACT_BELOW_US = 2 * SUB_BUCKETS;
/** log2 of EXACT_BELOW_US. */
const EXACT_BITS = 8;
/** Largest power of two kept apart: 2^40 µs ≈ 12.7 days; larger values land in the top bucket. */
const MAX_BITS = 40;
const BUCKETS = EXACT_BELOW_US + (MAX_BITS - EXACT_BITS) * SUB_BUCKETS;

/** Percentiles of a set of durations, ms (null fields: no samples). */
export interface LatencySummary {
  /** Number of samples. */
  count: number;
  min: number | null;
  mean: number | null;
  /** Same as p50 (nearest rank). */
  median: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * Bucket index of a value in microseconds (integer >= 0).
 * Values below 256 µs are exact; above, 128 buckets per power of two.
 */
export function bucketOf(us: number): number {
  if (us < EXACT_BELOW_US) return us;
  const bits = Math.min(Math.floor(Math.log2(us)), MAX_BITS - 1);
  if (bits >= MAX_BITS - 1 && us >= 2 ** MAX_BITS) return BUCKETS - 1;
  const shift = bits - (EXACT_BITS - 1);
  const sub = Math.floor(us / 2 ** shift) - SUB_BUCKETS; // 0 .. SUB_BUCKETS - 1
  return EXACT_BELOW_US + (bits - EXACT_BITS) * SUB_BUCKETS + sub;
}

/** Lower bound and width of bucket `index`, both in microseconds. */
export function bucketRange(index: number): { lowerUs: number; widthUs: number } {
  if (index < EXACT_BELOW_US) return { lowerUs: index, widthUs: 1 };
  const rel = index - EXACT_BELOW_US;
  const bits = EXACT_BITS + Math.floor(rel / SUB_BUCKETS);
  const sub = (rel % SUB_BUCKETS) + SUB_BUCKETS;
  const width = 2 ** (bits - (EXACT_BITS - 1));
  return { lowerUs: sub * width, widthUs: width };
}

/**
 * A histogram of durations in milliseconds with at most 0.4 % relative error above
 * 0.256 ms (exact to the microsecond below), exact count, min, max and mean.
 * Negative and non-finite inputs are clamped to 0 and counted in {@link clamped}.
 */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;
  private sumMs = 0;
  private minMs = Infinity;
  private maxMs = -Infinity;
  /** Samples that were negative or not finite (recorded as 0 ms). */
  clamped = 0;

  /** Records one duration, ms. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      this.clamped++;
      ms = 0;
    }
    this.counts[bucketOf(Math.round(ms * 1000))]++;
    this.n++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Number of samples recorded. */
  get count(): number {
    return this.n;
  }

  /** Adds every sample of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    if (other.n === 0) return;
    for (let i = 0; i < BUCKETS; i++) if (other.counts[i] !== 0) this.counts[i] += other.counts[i];
    this.n += other.n;
    this.sumMs += other.sumMs;
    this.clamped += other.clamped;
    if (other.minMs < this.minMs) this.minMs = other.minMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  /** Forgets every sample. */
  clear(): void {
    this.counts.fill(0);
    this.n = 0;
    this.sumMs = 0;
    this.minMs = Infinity;
    this.maxMs = -Infinity;
    this.clamped = 0;
  }

  /**
   * The `q`-th percentile (nearest rank: the smallest value with at least q % of the
   * samples at or below it), ms; null without samples. q = 0 gives the minimum, 100 the maximum.
   * @throws RangeError when q is outside 0..100
   */
  percentile(q: number): number | null {
    if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be in 0..100, got ${q}`);
    if (this.n === 0) return null;
    if (q === 0) return this.minMs;
    if (q === 100) return this.maxMs;
    const rank = Math.max(1, Math.ceil((q / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const { lowerUs, widthUs } = bucketRange(i);
        const mid = widthUs === 1 ? lowerUs : lowerUs + widthUs / 2;
        return Math.min(this.maxMs, Math.max(this.minMs, mid / 1000));
      }
    }
    return this.maxMs;
  }

  /** count, min, mean, median (= p50), p95, p99 and max, ms. */
  summary(): LatencySummary {
    if (this.n === 0) return { count: 0, min: null, mean: null, median: null, p50: null, p95: null, p99: null, max: null };
    const p50 = this.percentile(50);
    return {
      count: this.n,
      min: this.minMs,
      mean: this.sumMs / this.n,
      median: p50,
      p50,
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.maxMs,
    };
  }
}

/**
 * A sliding window of the last `slots` one-second histograms: `current` takes the samples
 * of the running second, {@link rotate} (called once a second) starts the next one, and
 * {@link merged} answers percentiles over the whole window.
 */
export class WindowedHistogram {
  private readonly ring: LatencyHistogram[];
  private head = 0;

  /** @param slots seconds kept (>= 1) */
  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a whole number >= 1, got ${slots}`);
    this.ring = Array.from({ length: slots }, () => new LatencyHistogram());
  }

  /** The histogram of the running second. */
  get current(): LatencyHistogram {
    return this.ring[this.head]!;
  }

  /** Records one duration, ms, into the running second. */
  record(ms: number): void {
    this.current.record(ms);
  }

  /** Starts a new second; the oldest is forgotten. @returns the second that just ended */
  rotate(): LatencyHistogram {
    const ended = this.ring[this.head]!;
    this.head = (this.head + 1) % this.slots;
    this.ring[this.head]!.clear();
    return ended;
  }

  /** Forgets every second. */
  clear(): void {
    for (const h of this.ring) h.clear();
  }

  /** The last `seconds` seconds (default all slots, the running one included) as one histogram. */
  merged(seconds = this.slots): LatencyHistogram {
    const out = new LatencyHistogram();
    for (let k = 0; k < Math.min(seconds, this.slots); k++) out.merge(this.ring[(this.head - k + this.slots) % this.slots]!);
    return out;
  }
}

/**
 * Exact nearest-rank percentile of an ascending array, in the array's unit; null when empty.
 * @throws RangeError when q is outside 0..100
 */
export function percentileOfSorted(sorted: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be in 0..100, got ${q}`);
  if (sorted.length === 0) return null;
  if (q === 0) return sorted[0]!;
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[rank - 1]!;
}
