/**
 * A job that runs every `periodMs` and on demand, one run at a time: a call while a run is
 * in flight shares that run instead of starting a second one. A failed timed run is
 * reported to `onError` (the next one still comes); {@link run} callers get the rejection.
 * The timer does not keep Node alive (`unref`).
 */
export class PeriodicTask<T> {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<T> | null = null;

  /**
   * @param job the work; `nowMs` is the wall clock of the run, ms since the Unix epoch
   * @param onError called with the error of a failed timed run
   */
  constructor(
    private readonly job: (nowMs: number) => Promise<T>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Runs the job every `periodMs` milliseconds (and once now when `runNow`). Idempotent.
   * @throws RangeError when `periodMs` is not a positive number
   */
  start(periodMs: number, runNow = false): void {
    if (!(periodMs > 0)) throw new RangeError(`periodMs must be a positive number of milliseconds, got ${periodMs}`);
    if (this.timer) return;
    if (runNow) this.runSafely();
    this.timer = setInterval(() => this.runSafely(), periodMs);
    this.timer.unref?.();
  }

  /** Stops the timer; a run in flight finishes. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs the job now, or joins the run in flight. */
  run(nowMs = Date.now()): Promise<T> {
    this.running ??= this.job(nowMs).finally(() => (this.running = null));
    return this.running;
  }

  private runSafely(): void {
    this.run().catch((e: unknown) => this.onError(e));
  }
}
