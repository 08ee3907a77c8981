/**
 * Admission of joining streams (pure: no I/O, no timers). A join's setup (the recording's
 * folder, meta.json, index and init segment, each with its file-system syncs, and the
 * database lines) costs several milliseconds of the event loop and a dozen thread-pool calls,
 * about 20 times one fragment of a running stream. When a whole exam starts at once (or every
 * Sentinel reconnects after a server restart), hundreds of setups running together flood the
 * thread pool's FIFO queue and the event loop, and the fragments of the streams already
 * running wait behind them (issue 10: 200 Sentinels joining within one second next to 200
 * running ones put ack p99 at 282 ms and a joining stream's first ack at p50 132 ms). The gate
 * lets `limit` setups run at a time, in arrival order; the rest wait their turn. Waiting costs
 * a joining Sentinel nothing: it keeps capturing and sends its queue after `welcome`.
 */
export class JoinGate {
  private active = 0;
  private readonly queue: JoinTicket[] = [];

  /** @param limit setups at once (>= 1) @throws RangeError when `limit` is not a whole number >= 1 */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`join concurrency must be a whole number >= 1, got ${limit}`);
  }

  /** Setups running now. */
  get admitted(): number {
    return this.active;
  }

  /** Joins waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Asks for a turn. The ticket's `admitted` resolves when the join may start its setup
   * (at once when fewer than `limit` run). `release()` ends the turn and lets the next waiting
   * join in; released while still waiting, the ticket leaves the queue without taking a turn
   * and `admitted` resolves at once (the caller, which gave up, checks its own state).
   * Releasing twice does nothing.
   */
  enter(): JoinTicket {
    const ticket = new JoinTicket(this);
    if (this.active < this.limit) this.admit(ticket);
    else this.queue.push(ticket);
    return ticket;
  }

  /** @internal called by a ticket's release */
  leave(ticket: JoinTicket, wasAdmitted: boolean): void {
    if (!wasAdmitted) {
      const index = this.queue.indexOf(ticket);
      if (index >= 0) this.queue.splice(index, 1);
      return;
    }
    this.active--;
    const next = this.queue.shift();
    if (next) this.admit(next);
  }

  private admit(ticket: JoinTicket): void {
    this.active++;
    ticket.open();
  }
}

/** One join's place at a {@link JoinGate}. */
export class JoinTicket {
  /** Resolves when the join may start its setup, or when it was released while waiting. */
  readonly admitted: Promise<void>;
  private resolveAdmitted!: () => void;
  private state: 'waiting' | 'admitted' | 'released' = 'waiting';

  constructor(private readonly gate: JoinGate) {
    this.admitted = new Promise<void>((resolve) => (this.resolveAdmitted = resolve));
  }

  /** Whether the ticket is still waiting for its turn. */
  get isWaiting(): boolean {
    return this.state === 'waiting';
  }

  /** @internal called by the gate */
  open(): void {
    this.state = 'admitted';
    this.resolveAdmitted();
  }

  /** Ends the turn (or leaves the queue). Idempotent. */
  release(): void {
    if (this.state === 'released') return;
    const wasAdmitted = this.state === 'admitted';
    this.state = 'released';
    this.gate.leave(this, wasAdmitted);
    if (!wasAdmitted) this.resolveAdmitted();
  }
}
