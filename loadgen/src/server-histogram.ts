/**
 * The server's own view of a latency (pure): a Prometheus histogram read from its `/metrics`
 * text (exposition format 0.0.4), the difference of two scrapes (what happened between them),
 * and quantiles interpolated within buckets the way Prometheus' `histogram_quantile` does.
 * The load generator uses it for the server's ack latency (`vigil_fragment_ack_seconds`:
 * receive → ack sent, after the write is durable), next to what its Sentinels measure
 * (send → ack received, which also holds both sides' socket and event-loop delays).
 */

/** A cumulative histogram: `counts[i]` observations ≤ `bounds[i]` (the last bound is +Inf). */
export interface CumulativeHistogram {
  /** Upper bounds, in the metric's unit (seconds here), ascending; the last is Infinity. */
  bounds: number[];
  /** Cumulative counts per bound. */
  counts: number[];
}

/**
 * Reads the `<name>_bucket{le="…"}` lines of one histogram without other labels.
 * @returns null when the text has no such histogram (or no +Inf bucket)
 */
export function parseHistogram(text: string, name: string): CumulativeHistogram | null {
  const prefix = `${name}_bucket{le="`;
  const rows: [number, number][] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const end = line.indexOf('"}', prefix.length);
    if (end < 0) continue;
    const le = line.slice(prefix.length, end);
    const bound = le === '+Inf' ? Infinity : Number(le);
    const count = Number(line.slice(end + 2).trim().split(/\s+/)[0]);
    if (Number.isNaN(bound) || !Number.isFinite(count)) continue;
    rows.push([bound, count]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  if (rows.length === 0 || rows.at(-1)![0] !== Infinity) return null;
  return { bounds: rows.map((r) => r[0]), counts: rows.map((r) => r[1]) };
}

/**
 * What was observed between two scrapes of the same histogram: `later − earlier` per bucket.
 * @throws Error when the buckets differ, or a count went down (the server restarted)
 */
export function histogramDelta(earlier: CumulativeHistogram, later: CumulativeHistogram): CumulativeHistogram {
  if (earlier.bounds.length !== later.bounds.length || earlier.bounds.some((b, i) => b !== later.bounds[i])) {
    throw new Error('the two scrapes have different buckets');
  }
  const counts = later.counts.map((c, i) => c - earlier.counts[i]!);
  if (counts.some((c) => c < 0)) throw new Error('a bucket count went down between the scrapes (server restarted?)');
  return { bounds: later.bounds, counts };
}

/** Observations in the histogram. */
export function histogramCount(h: CumulativeHistogram): number {
  return h.counts.at(-1) ?? 0;
}

/**
 * The q-quantile (0..1), interpolated linearly within its bucket, the first bucket starting
 * at 0 (Prometheus `histogram_quantile`). A quantile in the +Inf bucket is the highest finite
 * bound (a lower bound of the true value).
 * @returns null when the histogram is empty
 * @throws RangeError for q outside 0..1
 */
export function histogramQuantile(h: CumulativeHistogram, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not within 0..1`);
  const total = histogramCount(h);
  if (total === 0) return null;
  const rank = q * total;
  // the +Inf bucket holds every observation, so there is always one
  const i = h.counts.findIndex((count) => count >= rank);
  const upper = h.bounds[i]!;
  const lower = i === 0 ? 0 : h.bounds[i - 1]!;
  if (upper === Infinity) return lower;
  const below = i === 0 ? 0 : h.counts[i - 1]!;
  const inBucket = h.counts[i]! - below;
  return inBucket === 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
}

/**
 * Share (0..1) of the observations at or below `bound`, which must be one of the bucket bounds.
 * @returns null when the histogram is empty
 * @throws RangeError when `bound` is not a bucket bound
 */
export function shareWithin(h: CumulativeHistogram, bound: number): number | null {
  const i = h.bounds.indexOf(bound);
  if (i < 0) throw new RangeError(`${bound} is not a bucket bound (${h.bounds.join(', ')})`);
  const total = histogramCount(h);
  return total === 0 ? null : h.counts[i]! / total;
}
