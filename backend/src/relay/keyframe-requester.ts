import type { KeyframeReason } from '@vigil/protocol';

/** Timers of {@link KeyframeRequester} (injected so tests can drive the clock). */
export interface KeyframeTimers {
  /** Calls `fn` once after `delayMs`; returns a handle for `clear`. */
  set(fn: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: KeyframeTimers = {
  set: (fn, delayMs) => {
    const t = setTimeout(fn, delayMs);
    t.unref?.();
    return t;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * A request that no join fragment answered within this long no longer holds back new ones, ms.
 * A Sentinel answers at once (it encodes an IDR from its last captured frame), so this is a
 * request it missed or could not answer (a capture that stalled): without the limit every
 * later joiner would wait for its next scheduled IDR, up to a GOP (25 s).
 */
export const KEYFRAME_ANSWER_TIMEOUT_MS = 5000;

/**
 * Coalesces and rate-limits keyframe requests to one Sentinel (pure apart from the injected
 * timers and clock values).
 *
 * Many viewers joining at once cause one request; while a request is pending (no join
 * fragment arrived yet), further calls are absorbed. A request is never sent sooner than
 * `minIntervalMs` after the previous one: a request that comes sooner is deferred to
 * `minIntervalMs` after the previous one and sent then, unless a join fragment has arrived by
 * that time (it serves the waiters). Without the deferred send a viewer joining just after
 * another one's request was answered would wait for the Sentinel's next scheduled IDR (up to a
 * GOP, 25 s). A request left unanswered for `answerTimeoutMs` ({@link KEYFRAME_ANSWER_TIMEOUT_MS})
 * absorbs no more: the next call asks again.
 */
export class KeyframeRequester {
  private lastSentAtMs = Number.NEGATIVE_INFINITY;
  private pending = false;
  /** A deferred request: its timer and the reason it will carry. */
  private deferred: { handle: unknown; reason: KeyframeReason } | null = null;

  /**
   * @param minIntervalMs minimum spacing between requests, ms (>= 0)
   * @param send delivers the request to the Sentinel; returns false when no Sentinel is connected
   * @param timers schedules a deferred request (default: Node timers, unref'd)
   * @param answerTimeoutMs a request sent this long ago without a join fragment since no longer absorbs new ones, ms (> 0)
   * @throws TypeError for a negative or non-numeric interval, or a timeout that is not positive
   */
  constructor(
    private readonly minIntervalMs: number,
    private readonly send: (reason: KeyframeReason) => boolean,
    private readonly timers: KeyframeTimers = REAL_TIMERS,
    private readonly answerTimeoutMs: number = KEYFRAME_ANSWER_TIMEOUT_MS,
  ) {
    if (!(minIntervalMs >= 0)) throw new TypeError('minIntervalMs must be >= 0');
    if (!(answerTimeoutMs > 0)) throw new TypeError('answerTimeoutMs must be > 0');
  }

  /** True while a request went out (or waits for the rate limit) and no join fragment has arrived since. */
  get isPending(): boolean {
    return this.pending;
  }

  /** True while a request waits for the rate limit. */
  get isDeferred(): boolean {
    return this.deferred !== null;
  }

  /**
   * Asks for a keyframe unless one is already on its way; within the rate limit, defers it.
   * `admin` requests bypass coalescing but not the rate limit.
   * @param nowMs the caller's clock, ms (the same clock on every call)
   * @returns true when a request was sent now
   */
  request(reason: KeyframeReason, nowMs: number): boolean {
    const unanswered = this.pending && this.deferred === null && nowMs - this.lastSentAtMs >= this.answerTimeoutMs;
    if (this.pending && reason !== 'admin' && !unanswered) return false;
    const waitMs = this.lastSentAtMs + this.minIntervalMs - nowMs;
    if (waitMs > 0) {
      this.pending = true; // the deferred request, or a join fragment before it, serves the waiter
      if (this.deferred === null) {
        const handle = this.timers.set(() => this.sendDeferred(nowMs + waitMs), waitMs);
        this.deferred = { handle, reason };
      } else if (reason === 'admin') {
        this.deferred.reason = reason;
      }
      return false;
    }
    return this.sendNow(reason, nowMs);
  }

  /** A join fragment arrived: every waiter is served (a deferred request is dropped). */
  handleJoinFragment(): void {
    this.pending = false;
    this.cancelDeferred();
  }

  /** The Sentinel reconnected (a request in flight may have been lost) or the stream ended. */
  reset(): void {
    this.pending = false;
    this.lastSentAtMs = Number.NEGATIVE_INFINITY;
    this.cancelDeferred();
  }

  private sendNow(reason: KeyframeReason, nowMs: number): boolean {
    this.cancelDeferred();
    if (!this.send(reason)) {
      this.pending = false;
      return false;
    }
    this.lastSentAtMs = nowMs;
    this.pending = true;
    return true;
  }

  private sendDeferred(atMs: number): void {
    const deferred = this.deferred;
    this.deferred = null;
    if (deferred === null || !this.pending) return;
    this.sendNow(deferred.reason, atMs);
  }

  private cancelDeferred(): void {
    if (this.deferred === null) return;
    this.timers.clear(this.deferred.handle);
    this.deferred = null;
  }
}
