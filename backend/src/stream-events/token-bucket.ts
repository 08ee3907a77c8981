/**
 * A token bucket (pure; time passed in): `perMinute` tokens a minute, at most `burst` saved up.
 * Each accepted event takes one token; with none left the event is refused. Memory is O(1)
 * per bucket, whatever the caller sends.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number | null = null;

  /**
   * @param perMinute refill rate, tokens per minute (> 0)
   * @param burst most tokens saved up (>= 1; default `perMinute`): how many may come at once
   * @throws RangeError for a rate or burst out of range
   */
  constructor(
    readonly perMinute: number,
    readonly burst: number = perMinute,
  ) {
    if (!(perMinute > 0) || !Number.isFinite(perMinute)) throw new RangeError(`perMinute must be a positive number, got ${perMinute}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.tokens = burst;
  }

  /**
   * Takes one token if there is one.
   * @param nowMs the current time, ms (any monotonic or wall clock; a clock going back adds nothing)
   * @returns true when the event may pass
   */
  take(nowMs: number): boolean {
    if (this.lastMs !== null && nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.perMinute) / 60_000);
    }
    if (this.lastMs === null || nowMs > this.lastMs) this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Token buckets by key (a stream, a seat), at most `maxKeys` of them: when full, the key used
 * longest ago is forgotten (it starts again with a full bucket). Bounded memory whatever the
 * number of distinct keys a caller makes up.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  /**
   * @param perMinute refill rate of each bucket, per minute
   * @param burst most saved up per bucket
   * @param maxKeys most buckets kept (>= 1)
   */
  constructor(
    private readonly perMinute: number,
    private readonly burst: number = perMinute,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes a token from `key`'s bucket. @returns true when the event may pass */
  take(key: string, nowMs: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-insert: the Map's order is the order of use
    } else {
      bucket = new TokenBucket(this.perMinute, this.burst);
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, bucket);
    return bucket.take(nowMs);
  }

  /** Buckets held. */
  get size(): number {
    return this.buckets.size;
  }
}
