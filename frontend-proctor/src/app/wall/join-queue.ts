/**
 * How many wall tiles join their streams at once. A tile that subscribes gets its stream's
 * buffered segment at once (the init segment, the last IDR and every frame since: at 1 fps
 * with an IDR every 25 s, up to about 300 kB of 1080p screen), and all tiles share the
 * portal's one WebSocket. A wall of 100 tiles subscribing together would ask for some 30 MB in
 * one burst; the server does not queue a buffered segment onto a socket that already holds
 * more than its bound (4 MiB) and the tile then waits for its stream's next IDR, up to a GOP
 * later, or is dropped as too slow. So tiles join a few at a time: a tile holds a slot from its
 * subscribe until its first frame is painted, or `timeoutMs` (a stream with nothing buffered
 * costs nothing while it waits for its next IDR), or it leaves.
 */

/** Default most tiles joining at once: about 10 × 300 kB on the socket, under the server's 4 MiB. */
export const JOIN_CONCURRENCY = 10;
/** Default time a joining tile holds its slot at most, ms. */
export const JOIN_TIMEOUT_MS = 3000;

/** A place in the queue; {@link JoinQueue.release} it when the tile joined or left. */
export interface JoinTicket {
  readonly id: number;
}

/** Starts queued joins at most `concurrency` at a time; see the module comment. */
export class JoinQueue {
  private nextId = 1;
  private readonly waiting: { ticket: JoinTicket; start: () => void }[] = [];
  private readonly running = new Map<number, unknown>();

  /**
   * @param concurrency most joins under way (>= 1)
   * @param timeoutMs a join frees its slot after this long even unreleased, ms (> 0)
   * @param timers where timeouts are scheduled (tests pass fake ones)
   * @throws RangeError for a concurrency below 1 or a timeout that is not positive
   */
  constructor(
    readonly concurrency = JOIN_CONCURRENCY,
    readonly timeoutMs = JOIN_TIMEOUT_MS,
    private readonly timers: { set: (fn: () => void, ms: number) => unknown; clear: (handle: unknown) => void } = {
      set: (fn, ms) => setTimeout(fn, ms),
      clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    },
  ) {
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  }

  /** Joins under way and waiting. */
  get size(): { running: number; waiting: number } {
    return { running: this.running.size, waiting: this.waiting.length };
  }

  /**
   * Queues a join; `start` runs at once when a slot is free, else when one frees (first come,
   * first served). `start` must not throw (an error is reported and its slot released).
   */
  request(start: () => void): JoinTicket {
    const ticket: JoinTicket = { id: this.nextId++ };
    this.waiting.push({ ticket, start });
    this.pump();
    return ticket;
  }

  /** The join ended (first frame painted) or the tile left: frees its slot or its place. Idempotent. */
  release(ticket: JoinTicket): void {
    const waitingAt = this.waiting.findIndex((w) => w.ticket.id === ticket.id);
    if (waitingAt >= 0) {
      this.waiting.splice(waitingAt, 1);
      return;
    }
    const timer = this.running.get(ticket.id);
    if (timer === undefined) return;
    this.timers.clear(timer);
    this.running.delete(ticket.id);
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.waiting.length > 0) {
      const { ticket, start } = this.waiting.shift()!;
      this.running.set(
        ticket.id,
        this.timers.set(() => this.release(ticket), this.timeoutMs),
      );
      try {
        start();
      } catch (e) {
        console.error('wall: a tile could not start joining its stream', e);
        this.release(ticket);
      }
    }
  }
}
