/**
 * The server-wide memory budget for buffered fragments, bytes (pure accounting).
 * Streams report what they add and free; the registry evicts the oldest
 * segments of the largest streams while {@link isOver}.
 */
export class BufferBudget {
  private used = 0;

  /** @param maxBytes total budget over all streams, bytes (> 0) */
  constructor(readonly maxBytes: number) {
    if (!(maxBytes > 0)) throw new TypeError('maxBytes must be > 0');
  }

  get usedBytes(): number {
    return this.used;
  }

  get isOver(): boolean {
    return this.used > this.maxBytes;
  }

  /** Adds (positive) or frees (negative) buffered bytes. */
  adjust(deltaBytes: number): void {
    this.used = Math.max(0, this.used + deltaBytes);
  }
}
