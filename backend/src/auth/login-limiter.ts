/**
 * Failed-login limit per account (pure; the clock is passed in). Complements the per-address
 * limit (@nestjs/throttler on `POST /api/auth/login`): an attacker spreading guesses for one
 * account over many addresses (a botnet, a proxy pool) still gets at most `limit` failed
 * guesses per `windowMs`, and then 429 with `Retry-After` until the oldest failure leaves the
 * window (a sliding window, OWASP Authentication Cheat Sheet, "Account lockout").
 *
 * The key is the normalised e-mail as typed, whether or not such a user exists, so the
 * answers do not tell known accounts from unknown ones. A successful login clears the
 * account's failures. Memory is bounded: at most `maxAccounts` keys, the least recently
 * failed dropped first (spraying made-up e-mails cannot grow it without bound).
 */
export class LoginLimiter {
  /** account → times of its failed logins inside the window, ms, oldest first. */
  private readonly failures = new Map<string, number[]>();

  /**
   * @param limit failed logins allowed per account per window (>= 1)
   * @param windowMs the sliding window, ms (> 0)
   * @param maxAccounts most accounts tracked at once (>= 1)
   * @throws RangeError for a limit, window or bound out of range
   */
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly maxAccounts = 100_000,
  ) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number >= 1, got ${limit}`);
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`windowMs must be a number of ms > 0, got ${windowMs}`);
    if (!Number.isSafeInteger(maxAccounts) || maxAccounts < 1) throw new RangeError(`maxAccounts must be a whole number >= 1, got ${maxAccounts}`);
  }

  /**
   * Seconds until the account may try again (for `Retry-After`, RFC 9110 §10.2.3), or 0
   * when it may try now.
   * @param nowMs ms since the Unix epoch
   */
  retryAfterSeconds(account: string, nowMs: number): number {
    const times = this.live(account, nowMs);
    if (times.length < this.limit) return 0;
    return Math.max(1, Math.ceil((times[times.length - this.limit] + this.windowMs - nowMs) / 1000));
  }

  /** Records a failed login of `account` at `nowMs`. */
  fail(account: string, nowMs: number): void {
    const times = this.live(account, nowMs);
    times.push(nowMs);
    // re-insert: Map order is then "least recently failed first"
    this.failures.delete(account);
    this.failures.set(account, times.slice(-this.limit));
    while (this.failures.size > this.maxAccounts) this.failures.delete(this.failures.keys().next().value as string);
  }

  /** A successful login: the account's failures are forgotten. */
  succeed(account: string): void {
    this.failures.delete(account);
  }

  /** Accounts tracked now (tests, metrics). */
  get size(): number {
    return this.failures.size;
  }

  private live(account: string, nowMs: number): number[] {
    const times = this.failures.get(account);
    if (!times) return [];
    const live = times.filter((t) => t > nowMs - this.windowMs);
    if (live.length === 0) this.failures.delete(account);
    else if (live.length !== times.length) this.failures.set(account, live);
    return live;
  }
}
