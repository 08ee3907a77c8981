import { JoinGate } from './join-gate';

const flush = () => new Promise((r) => setImmediate(r));

describe('JoinGate', () => {
  it('admits `limit` joins at once and the rest in arrival order as turns end', async () => {
    const gate = new JoinGate(2);
    const order: number[] = [];
    const tickets = Array.from({ length: 5 }, (_, i) => {
      const t = gate.enter();
      void t.admitted.then(() => order.push(i));
      return t;
    });
    await flush();
    expect(order).toEqual([0, 1]);
    expect([gate.admitted, gate.waiting]).toEqual([2, 3]);
    tickets[1]!.release();
    await flush();
    expect(order).toEqual([0, 1, 2]);
    tickets[0]!.release();
    tickets[2]!.release();
    await flush();
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect([gate.admitted, gate.waiting]).toEqual([2, 0]);
  });

  it('a waiting join that gives up leaves the queue without taking a turn; releases are idempotent', async () => {
    const gate = new JoinGate(1);
    const first = gate.enter();
    const quitter = gate.enter();
    const third = gate.enter();
    let quitterSettled = false;
    let thirdIn = false;
    void quitter.admitted.then(() => (quitterSettled = true));
    void third.admitted.then(() => (thirdIn = true));
    expect(quitter.isWaiting).toBe(true);
    quitter.release();
    quitter.release();
    await flush();
    // the quitter's wait ends (it checks its own state) without taking the turn
    expect([quitterSettled, thirdIn, gate.admitted, gate.waiting]).toEqual([true, false, 1, 1]);
    first.release();
    first.release(); // a second release must not free a second turn
    await flush();
    expect(thirdIn).toBe(true);
    expect([gate.admitted, gate.waiting]).toEqual([1, 0]);
    third.release();
    expect([gate.admitted, gate.waiting]).toEqual([0, 0]);
  });

  it('refuses a limit that is not a whole number >= 1', () => {
    expect(() => new JoinGate(0)).toThrow('join concurrency must be a whole number >= 1, got 0');
    expect(() => new JoinGate(1.5)).toThrow(RangeError);
  });
});
