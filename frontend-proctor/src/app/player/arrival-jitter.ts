/**
 * Arrival jitter of live fragments (pure, no DOM): how irregularly fragments reach the
 * player compared with their media time. The live-edge policy sizes its cushion from it
 * ({@link targetLag} in live-edge.ts) instead of holding a constant distance.
 *
 * For fragment i, offset_i = arrival_i − mediaStart_i (seconds). Capture, encode, upload and
 * relay run in real time, so the offsets of a steady stream are a constant plus jitter; a
 * fragment that comes late has a larger offset. The jitter is the spread of the offsets over
 * a window of recent fragments: a high quantile (default the 95th percentile) minus the
 * minimum. A fragment arriving that much later than the earliest one still finds the
 * position inside the buffer, so playback does not stall waiting for it.
 */
export class ArrivalJitter {
  private readonly offsets: number[] = [];

  /**
   * @param window number of recent fragments kept (default 50: 10 s at 5 fps)
   * @param quantile in (0, 1], the quantile of the offsets taken as "late" (default 0.95)
   * @throws RangeError for a window below 2 or a quantile outside (0, 1]
   */
  constructor(
    private readonly window = 50,
    private readonly quantile = 0.95,
  ) {
    if (!Number.isInteger(window) || window < 2) throw new RangeError(`window must be an integer >= 2, got ${window}`);
    if (!(quantile > 0 && quantile <= 1)) throw new RangeError(`quantile must be in (0, 1], got ${quantile}`);
  }

  /** Fragments in the window. */
  get size(): number {
    return this.offsets.length;
  }

  /**
   * Records one fragment as it arrives (call only for fragments that arrive live, not for the
   * replayed burst a join or a resubscribe delivers at once).
   * @param arrivalSeconds when it arrived, seconds on any monotonic clock (`performance.now() / 1000`)
   * @param mediaStartSeconds its decode time, seconds (`tfdt` / timescale)
   */
  add(arrivalSeconds: number, mediaStartSeconds: number): void {
    if (!Number.isFinite(arrivalSeconds) || !Number.isFinite(mediaStartSeconds)) return;
    this.offsets.push(arrivalSeconds - mediaStartSeconds);
    if (this.offsets.length > this.window) this.offsets.shift();
  }

  /**
   * The jitter, seconds (>= 0), or null with fewer than `minSamples` fragments (default 5).
   */
  jitter(minSamples = 5): number | null {
    if (this.offsets.length < Math.max(2, minSamples)) return null;
    const sorted = [...this.offsets].sort((a, b) => a - b);
    const high = sorted[Math.min(sorted.length - 1, Math.ceil(this.quantile * sorted.length) - 1)]!;
    return Math.max(0, high - sorted[0]!);
  }

  /** Forgets every fragment (a new stream, a resubscribe, a seek that changes the timeline). */
  clear(): void {
    this.offsets.length = 0;
  }
}
