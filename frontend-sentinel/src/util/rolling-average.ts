/** Mean and median of the last `size` samples (fixed window; `add` is O(1), `median` O(n log n)). */
export class RollingAverage {
  private readonly samples: number[] = [];
  private next = 0;
  private sum = 0;
  private last = 0;

  /** @param size window length in samples (integer 1..10000) */
  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1 || size > 10_000) throw new TypeError(`size must be an integer in [1, 10000], got ${String(size)}`);
  }

  /** Adds a finite sample. */
  add(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`value must be a finite number, got ${String(value)}`);
    if (this.samples.length < this.size) {
      this.samples.push(value);
    } else {
      this.sum -= this.samples[this.next]!;
      this.samples[this.next] = value;
      this.next = (this.next + 1) % this.size;
    }
    this.sum += value;
    this.last = value;
  }

  /** Mean of the window, 0 when empty. */
  get mean(): number {
    return this.samples.length === 0 ? 0 : this.sum / this.samples.length;
  }

  /** Median of the window (mean of the middle two for an even count), 0 when empty. */
  get median(): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  /** Most recent sample, 0 when empty. */
  get latest(): number {
    return this.last;
  }

  /** Samples in the window. */
  get count(): number {
    return this.samples.length;
  }
}
