import type { KeyframeReason } from '@vigil/protocol';

/**
 * Coalesces and rate-limits keyframe requests to one Sentinel (pure, clock injected).
 *
 * Many viewers joining at once cause one request; while a request is pending
 * (no join fragment arrived yet), further calls are absorbed; a request is never
 * sent sooner than `minIntervalMs` after the previous one.
 */
export class KeyframeRequester {
  private lastSentAtMs = Number.NEGATIVE_INFINITY;
  private pending = false;

  /**
   * @param minIntervalMs minimum spacing between requests, ms (>= 0)
   * @param send delivers the request to the Sentinel; returns false when no Sentinel is connected
   */
  constructor(
    private readonly minIntervalMs: number,
    private readonly send: (reason: KeyframeReason) => boolean,
  ) {
    if (!(minIntervalMs >= 0)) throw new TypeError('minIntervalMs must be >= 0');
  }

  /** True while a request went out and no join fragment has arrived since. */
  get isPending(): boolean {
    return this.pending;
  }

  /**
   * Asks for a keyframe unless one is already on its way or the rate limit holds.
   * `admin` requests bypass coalescing but not the rate limit.
   * @returns true when a request was sent now
   */
  request(reason: KeyframeReason, nowMs: number): boolean {
    if (this.pending && reason !== 'admin') return false;
    if (nowMs - this.lastSentAtMs < this.minIntervalMs) {
      this.pending = true; // the next join fragment (scheduled or this one) will serve the waiter
      return false;
    }
    if (!this.send(reason)) return false;
    this.lastSentAtMs = nowMs;
    this.pending = true;
    return true;
  }

  /** A join fragment arrived: every waiter is served. */
  handleJoinFragment(): void {
    this.pending = false;
  }

  /** The Sentinel reconnected: a request in flight may have been lost. */
  reset(): void {
    this.pending = false;
    this.lastSentAtMs = Number.NEGATIVE_INFINITY;
  }
}
