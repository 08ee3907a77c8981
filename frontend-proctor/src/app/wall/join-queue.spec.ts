import { JoinQueue } from './join-queue';

/** Timers run by hand: `advance(ms)` fires what is due. */
function fakeTimers() {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    set: (fn: () => void, ms: number) => {
      const id = next++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clear: (h: unknown) => void due.delete(h as number),
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...due]) if (t.at <= now) {
        due.delete(id);
        t.fn();
      }
    },
    get pending() {
      return due.size;
    },
  };
}

describe('JoinQueue', () => {
  it('starts at most `concurrency` joins, the next one when a tile painted its first frame', () => {
    const q = new JoinQueue(2, 3000, fakeTimers());
    const started: number[] = [];
    const tickets = [1, 2, 3, 4].map((n) => q.request(() => started.push(n)));
    expect(started).toEqual([1, 2]);
    expect(q.size).toEqual({ running: 2, waiting: 2 });
    q.release(tickets[0]!);
    expect(started).toEqual([1, 2, 3]);
    q.release(tickets[0]!); // idempotent
    expect(started).toEqual([1, 2, 3]);
  });

  it('frees a slot after the timeout when the tile never paints (a stream waiting for its next IDR)', () => {
    const timers = fakeTimers();
    const q = new JoinQueue(1, 3000, timers);
    const started: number[] = [];
    q.request(() => started.push(1));
    q.request(() => started.push(2));
    timers.advance(2999);
    expect(started).toEqual([1]);
    timers.advance(1);
    expect(started).toEqual([1, 2]);
  });

  it('forgets a tile that leaves while waiting, and clears the timer of one that leaves while joining', () => {
    const timers = fakeTimers();
    const q = new JoinQueue(1, 3000, timers);
    const started: number[] = [];
    const a = q.request(() => started.push(1));
    const b = q.request(() => started.push(2));
    q.request(() => started.push(3));
    q.release(b);
    q.release(a);
    expect(started).toEqual([1, 3]);
    expect(timers.pending).toBe(1);
  });

  it('releases the slot of a start that throws and goes on with the next', () => {
    const q = new JoinQueue(1, 3000, fakeTimers());
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const started: number[] = [];
    q.request(() => {
      throw new Error('boom');
    });
    q.request(() => started.push(2));
    expect(started).toEqual([2]);
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });

  it('refuses a concurrency below 1 and a timeout that is not positive', () => {
    expect(() => new JoinQueue(0)).toThrow(RangeError);
    expect(() => new JoinQueue(1.5)).toThrow(RangeError);
    expect(() => new JoinQueue(2, 0)).toThrow(RangeError);
  });
});
