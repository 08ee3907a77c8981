/**
 * One sync operation (say the fsync of the streams folder) shared by every caller that needs
 * it at about the same time (issue 10: 200 Sentinels joining at once each fsync'ed the same
 * `streams/` folder for their new stream folder, one after another in the thread pool).
 *
 * Guarantee: the promise {@link request} returns resolves only after a sync that *started
 * after the call* completed, so every change the caller made before calling is covered
 * (fsync(2) of a directory makes durable the entries changed before it starts). Concretely:
 *  - nothing running: a sync starts now, for this caller;
 *  - a sync is running (it may have started before the caller's change): the caller waits for
 *    the next one, which starts as soon as the running one ends and is shared by every caller
 *    that arrived meanwhile (one queued sync at most).
 *
 * Errors: a failed sync rejects exactly the callers it was to cover (with its error); the
 * callers of the next sync are not affected and get the next sync's own outcome. Nothing is
 * retried here: each caller retries its own unit (which requests again).
 */
export class CoalescedSync {
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private runs = 0;

  /** @param sync the operation; each call must cover every change made before it was called */
  constructor(private readonly sync: () => Promise<void>) {}

  /** Syncs started so far (for tests and statistics). */
  get started(): number {
    return this.runs;
  }

  /**
   * Resolves once a sync that started after this call completed.
   * @throws (rejects with) that sync's error
   */
  request(): Promise<void> {
    if (this.queued) return this.queued; // not started yet: it will cover this caller too
    const running = this.inFlight;
    if (running === null) return this.launch();
    this.queued = running
      .then(
        () => undefined,
        () => undefined, // the running sync's error belongs to its own callers
      )
      .then(() => {
        this.queued = null;
        return this.launch();
      });
    return this.queued;
  }

  private launch(): Promise<void> {
    this.runs++;
    let run: Promise<void>;
    try {
      run = this.sync();
    } catch (e) {
      run = Promise.reject(e);
    }
    const tracked: Promise<void> = run.finally(() => {
      if (this.inFlight === tracked) this.inFlight = null;
    });
    this.inFlight = tracked;
    return tracked;
  }
}
